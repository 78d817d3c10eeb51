"""Need to know, decided in one place. See `policy.core` for the contract."""

from liaison.policy.core import can, explain, get_visible, require, visible

__all__ = ["can", "explain", "get_visible", "require", "visible"]

"""Importing this package registers every context's rules with the policy engine."""

from liaison.policy.rules import accounts, audit, geo, incidents, intel, org, situation, targets  # noqa: F401

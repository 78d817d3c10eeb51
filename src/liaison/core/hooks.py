"""Extension points: code that calls out to other contexts without importing them.

The kernel knows no context, and a context knows only the contexts below it (intel does not know
incidents). Where the lower side must still make something happen on the upper side, it declares a
`Hook`, and the upper side registers a receiver in its `AppConfig.ready()` (decision 0006). The
worker's sweeps and periodic jobs are registered the same way (`core/worker.py`).

A hook is part of the write that calls it, not a notification after it: receivers run at once, in
registration order (INSTALLED_APPS order), inside the caller's transaction, and their exceptions
propagate and roll the caller back. A receiver that writes is a service of its own context (it
records its own audit events); nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    """One named extension point, filled at start-up."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc or name
        self._receivers: list[Callable[..., Any]] = []

    def register(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Add a receiver (once: `ready()` may run more than once in tests). Usable as a decorator."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    @property
    def receivers(self) -> tuple[Callable[..., Any], ...]:
        return tuple(self._receivers)

    def __call__(self, **kwargs: Any) -> list[Any]:
        """Call every receiver with the same keyword arguments; their results, in order."""
        return [receiver(**kwargs) for receiver in self._receivers]

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receiver(s)>"

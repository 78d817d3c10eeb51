"""The one clock: services and workers ask it for the time, tests move it by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time (aware, UTC), or the frozen time while a test holds the clock."""
    return _frozen if _frozen is not None else timezone.now()


@contextmanager
def frozen(at: dt.datetime) -> Iterator[FrozenClock]:
    global _frozen
    previous = _frozen
    _frozen = at
    try:
        yield FrozenClock()
    finally:
        _frozen = previous


class FrozenClock:
    def advance(self, delta: dt.timedelta) -> dt.datetime:
        global _frozen
        assert _frozen is not None
        _frozen = _frozen + delta
        return _frozen

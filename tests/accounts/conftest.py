from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def sign_in_pauses(monkeypatch):
    """The address throttle starts empty for each test and records its delays instead of sleeping:
    `sign_in_pauses` is the list of seconds it would have waited."""
    from liaison.accounts import throttle

    throttle._cache().clear()
    pauses: list[float] = []
    monkeypatch.setattr(throttle, "_sleep", pauses.append)
    yield pauses
    throttle._cache().clear()

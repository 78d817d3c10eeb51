"""The worker's periodic job for programs: a month due and missing for more than ten days notifies
the commune's reporting unit and its parent, once (`services.missing_notify` is idempotent)."""

from __future__ import annotations

from django.conf import settings

from liaison.org.actor import Actor
from liaison.programs import services


def every() -> float:
    return float(getattr(settings, "PROGRAMS_MISSING_EVERY", 900))


def notify_missing() -> str | None:
    n = services.missing_notify(Actor.system())
    return f"programs: {n} missing month(s) notified" if n else None

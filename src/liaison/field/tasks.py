"""The worker's periodic job for field reporting: rate-limit windows of the tip line that have ended
are deleted (a window only counts while it is current), so `RateWindow` stays small."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from liaison.core import clock
from liaison.field.models import RateWindow


def every() -> float:
    return float(getattr(settings, "FIELD_RATE_SWEEP_EVERY", 3600))


def sweep_rate_windows() -> str | None:
    """Delete the windows that started more than one window length ago (they are over)."""
    cutoff = clock.now() - dt.timedelta(seconds=settings.TIP_WINDOW_SECONDS)
    n, _ = RateWindow.objects.filter(window_start__lt=cutoff).delete()
    return f"field: {n} ended rate-limit window(s) deleted" if n else None

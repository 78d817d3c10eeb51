"""Ended rate-limit windows are swept by the worker's periodic job (issue 19); the current window,
which still counts, stays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from liaison.core import clock, worker
from liaison.field import tasks
from liaison.field.models import RateWindow

pytestmark = pytest.mark.django_db


def test_ended_windows_are_deleted_and_the_current_one_stays():
    RateWindow.objects.all().delete()
    now = clock.now()
    window = dt.timedelta(seconds=settings.TIP_WINDOW_SECONDS)
    RateWindow.objects.create(key="old", window_start=now - 3 * window, count=5)
    RateWindow.objects.create(key="ended", window_start=now - window - dt.timedelta(seconds=1), count=1)
    RateWindow.objects.create(key="current", window_start=now - dt.timedelta(seconds=1), count=2)
    assert tasks.sweep_rate_windows() == "field: 2 ended rate-limit window(s) deleted"
    assert list(RateWindow.objects.values_list("key", flat=True)) == ["current"]
    assert tasks.sweep_rate_windows() is None


def test_the_sweep_is_a_periodic_job_of_the_worker():
    assert "field.rate_windows" in {p.name for p in worker.periodic()}

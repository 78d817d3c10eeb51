"""Patrols of the Na Mèo post for the tests: one whose window is now, with the post's segment and
marker on its route."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.core import clock
from liaison.org.models import Unit
from liaison.patrols import services
from liaison.patrols.models import Marker, Segment
from tests.conftest import cast_actor


def na_meo_marker() -> Marker:
    return Marker.objects.select_related("place").filter(segment__post__code="BP-DON-NA-MEO").first()


def other_marker() -> Marker:
    return Marker.objects.select_related("place").exclude(segment__post__code="BP-DON-NA-MEO").first()


def make_patrol(
    who="na_meo_post_officer", *, kind="routine", participants=(), partner=None, hours_ago=3, **kw
):
    actor = cast_actor(who)
    now = clock.now()
    return services.patrol_create(
        actor,
        lead_unit=kw.pop("lead_unit", Unit.objects.get(code="BP-DON-NA-MEO")),
        kind=kind,
        starts_at=now - dt.timedelta(hours=hours_ago),
        ends_at=now - dt.timedelta(hours=hours_ago) + dt.timedelta(hours=8),
        people=kw.pop("people", 6),
        route=[Segment.objects.get(code="SEG-NA-MEO"), na_meo_marker()],
        participants=[Unit.objects.get(code=c) for c in participants],
        partner_unit=Unit.objects.get(code=partner) if partner else None,
        partner_people=4 if partner else None,
        **kw,
    )


@pytest.fixture
def patrol(db):
    return make_patrol()

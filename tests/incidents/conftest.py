"""Shared fixtures for the incident tests.

Every test opens its own incidents (through the service or the API) as a named cast member; nothing
relies on incidents left by another test. Places used throughout:

- Bát Mọt (VN-38-15607): a border-area commune covered by one border-guard post, BP-DON-BAT-MOT
  (its duty officer is `bat_mot_post_officer`), and the commune police CA-XA-BAT-MOT.
- Na Mèo (VN-38-15013): a border-area commune with the Na Mèo post (BP-DON-NA-MEO), below it the
  border-guard station of the international gate (BP-TRAM-CKQT-NA-MEO), the commune police
  CA-XA-NA-MEO and customs HQ-NA-MEO; the gate itself is the place GATE-NA-MEO.
- Hồi Xuân (VN-38-14869): an inland commune of Thanh Hoa with no unit of its own.
"""

from __future__ import annotations

import pytest

from liaison.geo.models import Area, Place
from liaison.incidents import services
from liaison.incidents.models import IncidentType
from tests.incidents.incident_helpers import BAT_MOT


@pytest.fixture
def open_incident(cast):
    """`open_incident(who, type_code, area=code|None, place=code|None, **kw)` -> Incident, opened
    through the service (the API is exercised by the tests that are about the API)."""

    def make(
        who: str = "bat_mot_post_officer",
        type_code: str = "drug_trafficking",
        *,
        area: str | None = BAT_MOT,
        place: str | None = None,
        title: str = "Vận chuyển trái phép chất ma túy",
        **kw,
    ):
        actor = cast(who) if isinstance(who, str) else who
        return services.incident_open(
            actor,
            incident_type=IncidentType.objects.get(code=type_code),
            title=title,
            area=Area.objects.get(code=area) if area else None,
            place=Place.objects.get(code=place) if place else None,
            **kw,
        )

    return make


@pytest.fixture
def clients(client_for):
    """A signed-in client per cast member, made once per test (hypothesis examples share them)."""
    cache: dict = {}

    def get(name: str):
        if name not in cache:
            cache[name] = client_for(name)
        return cache[name]

    return get


@pytest.fixture
def problem_fields():
    """The field names of an API problem response."""
    return lambda response: {e["field"] for e in response.json().get("errors", [])}

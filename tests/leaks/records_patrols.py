"""Patrols in the battery. The rule (issue 16, PRODUCT.md "Need to know"): a member of this node in an
operational role (duty officer, analyst, commander, liaison officer; never an administrator or
auditor membership) sees a patrol when their active unit leads it (the post) or takes part in it,
or, for a commander, when the lead or a participating unit lies below the commander's unit. The
partner unit across the border is a reference on the patrol and grants nothing (a partner user sees
nothing at all). Check-ins go with their patrol. A monthly plan is seen by its post and, for a
commander, when the post lies below. Coverage is read for one's own post (a commander: every post
below), counted from the check-ins one may see; a marker is unchecked when no such check-in is
within 30 days (the default; the demo sets no other). Markers' condition is reference data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from liaison.patrols.models import CheckIn, Marker, Patrol, PatrolPlan, PatrolUnit

from .battery import DetailRoute, ListRoute, Member, RecordType, html_ids, json_ids

OPERATIONAL = {"duty_officer", "analyst", "commander", "liaison_officer"}
UNCHECKED_AFTER = dt.timedelta(days=30)


@dataclass(frozen=True)
class PatrolFacts:
    pk: str
    starts_at: dt.datetime
    involved_paths: frozenset


def patrol_facts() -> list[PatrolFacts]:
    paths: dict = {}
    for pid, path in PatrolUnit.objects.values_list("patrol_id", "unit__path"):
        paths.setdefault(pid, set()).add(path)
    out = []
    for pk, starts, lead in Patrol.objects.values_list("pk", "starts_at", "lead_unit__path"):
        out.append(PatrolFacts(str(pk), starts, frozenset({lead, *paths.get(pk, ())})))
    # Newest start first, then id (the list's order).
    return sorted(out, key=lambda p: (p.starts_at, p.pk), reverse=True)


def operational(m: Member) -> bool:
    return m.unit_country == "VN" and m.role in OPERATIONAL


def reaches(m: Member, paths) -> bool:
    """The member's unit is one of `paths`, or (a commander) one of them lies below it."""
    if m.unit_path in paths:
        return True
    return m.role == "commander" and any(p.startswith(m.unit_path) for p in paths)


def sees_patrol(m: Member, p: PatrolFacts) -> bool:
    return operational(m) and reaches(m, p.involved_paths)


def newest(n):
    return lambda m, records, rule: [r for r in records if rule(m, r)][:n]


def _plans():
    return list(PatrolPlan.objects.select_related("post").order_by("month", "post__code"))


def _checkins():
    facts = {p.pk: p for p in patrol_facts()}
    return [(c, facts[str(c.patrol_id)]) for c in CheckIn.objects.order_by("at", "id")]


@dataclass(frozen=True)
class MarkerFacts:
    pk: str
    post_path: str | None
    condition: str


def _markers():
    return [
        MarkerFacts(str(pk), path, cond)
        for pk, path, cond in Marker.objects.order_by("number").values_list(
            "pk", "segment__post__path", "condition"
        )
    ]


def covers(m: Member, marker: MarkerFacts) -> bool:
    return operational(m) and marker.post_path is not None and reaches(m, {marker.post_path})


def unchecked(m: Member, records: list, rule) -> list:
    """The covered markers with no check-in the member may see within 30 days."""
    from django.utils import timezone

    now = timezone.now()
    facts = {p.pk: p for p in patrol_facts()}
    last: dict = {}
    for marker_id, patrol_id, at in CheckIn.objects.filter(marker__isnull=False).values_list(
        "marker_id", "patrol_id", "at"
    ):
        if sees_patrol(m, facts[str(patrol_id)]) and at <= now:
            last[str(marker_id)] = max(at, last.get(str(marker_id), at))
    return [r for r in records if rule(m, r) and (r.pk not in last or last[r.pk] < now - UNCHECKED_AFTER)]


def geojson_ids(response) -> set[str]:
    return {f["properties"]["id"] for f in response.json()["features"]}


RECORD_TYPES = [
    RecordType(
        name="patrol",
        records=patrol_facts,
        record_id=lambda r: r.pk,
        visible_to=sees_patrol,
        list_routes=[
            ListRoute(
                "api GET /api/v1/patrols",
                "/api/v1/patrols",
                lambda r: {row["id"] for row in r.json()["patrols"]},
                expected=newest(50),
            ),
            ListRoute("page patrols/", "/patrols/", html_ids(), expected=newest(50)),
        ],
        detail_routes=[
            DetailRoute("api GET /api/v1/patrols/{patrol_id}", lambda i: f"/api/v1/patrols/{i}"),
            DetailRoute(
                "api GET /api/v1/patrols/{patrol_id}/geojson", lambda i: f"/api/v1/patrols/{i}/geojson"
            ),
            DetailRoute(
                "api GET /api/v1/patrols/{patrol_id}/minutes.docx",
                lambda i: f"/api/v1/patrols/{i}/minutes.docx",
            ),
            DetailRoute(
                "api GET /api/v1/patrols/{patrol_id}/minutes.pdf",
                lambda i: f"/api/v1/patrols/{i}/minutes.pdf",
            ),
            DetailRoute("page patrols/<uuid:patrol_id>/", lambda i: f"/patrols/{i}/"),
        ],
        sample=6,
    ),
    RecordType(
        name="patrol plan",
        records=_plans,
        visible_to=lambda m, r: operational(m) and reaches(m, {r.post.path}),
        list_routes=[
            ListRoute("api GET /api/v1/patrol-plans", "/api/v1/patrol-plans", json_ids()),
            ListRoute("page patrol-plans/", "/patrol-plans/", html_ids()),
        ],
        detail_routes=[
            DetailRoute("api GET /api/v1/patrol-plans/{plan_id}", lambda i: f"/api/v1/patrol-plans/{i}"),
            DetailRoute("page patrol-plans/<uuid:plan_id>/", lambda i: f"/patrol-plans/{i}/"),
        ],
        sample=6,
    ),
    RecordType(
        name="patrol check-in",
        records=_checkins,
        record_id=lambda r: str(r[0].pk),
        visible_to=lambda m, r: sees_patrol(m, r[1]),
        detail_routes=[
            DetailRoute("api GET /api/v1/checkins/{checkin_id}", lambda i: f"/api/v1/checkins/{i}"),
            # The demo's check-ins carry no photo: a visible one answers "no such photo" (404), a
            # hidden one exactly as a missing check-in. tests/patrols checks a photo's readers.
            DetailRoute(
                "api GET /api/v1/checkins/{checkin_id}/photo",
                lambda i: f"/api/v1/checkins/{i}/photo",
                visible_status=404,
            ),
        ],
        sample=6,
    ),
    RecordType(
        name="marker coverage",
        records=_markers,
        record_id=lambda r: r.pk,
        visible_to=covers,
        list_routes=[
            ListRoute(
                "api GET /api/v1/patrol-coverage/markers", "/api/v1/patrol-coverage/markers", json_ids()
            ),
            ListRoute(
                "api GET /api/v1/patrol-coverage/unchecked.geojson",
                "/api/v1/patrol-coverage/unchecked.geojson",
                geojson_ids,
                expected=unchecked,
            ),
            ListRoute("page patrol-coverage/", "/patrol-coverage/", html_ids(), expected=unchecked),
        ],
    ),
    RecordType(
        name="damaged marker",
        records=lambda: [r for r in _markers() if r.condition in ("damaged", "moved", "missing")],
        record_id=lambda r: r.pk,
        visible_to=lambda m, r: m.unit_country == "VN" and m.role != "auditor",
        list_routes=[
            ListRoute(
                "api GET /api/v1/patrol-coverage/damaged", "/api/v1/patrol-coverage/damaged", json_ids()
            ),
        ],
    ),
]

OTHER_ROUTES = {
    "page patrols/new/": "the patrol form (refused to who may not plan): tests/patrols",
    "page patrols/<uuid:patrol_id>/<slug:name>/": "POST actions: tests/patrols",
    "page patrol-plans/<uuid:plan_id>/approve/": "POST: tests/patrols",
    "page patrol-markers/import/": "administrators' CSV import: tests/patrols/test_markers.py",
    "api GET /api/v1/patrol-coverage/months": "counts per post over the reader's coverage: tests/patrols",
    "api GET /api/v1/patrol-figures": "counts over visible patrols (= plain SQL): tests/patrols/test_figures.py",
    "api POST /api/v1/patrol-plans": "write: tests/patrols",
    "api POST /api/v1/patrol-plans/{plan_id}/approve": "write: tests/patrols",
    "api POST /api/v1/patrols": "write: tests/patrols",
    "api POST /api/v1/patrols/{patrol_id}/transition": "write: tests/patrols",
    "api POST /api/v1/patrols/{patrol_id}/checkins": "write: tests/patrols",
    "api POST /api/v1/checkins/{checkin_id}/findings": "write: tests/patrols",
    "api PUT /api/v1/patrol-coverage/settings": "write: tests/patrols",
    "api POST /api/v1/patrol-markers/import": "write: tests/patrols/test_markers.py",
}

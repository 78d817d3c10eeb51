"""Briefings in the battery. The rule (issue 18): a briefing is seen by a member of this node in an
operational role whose active unit prepares it (its owner unit), and by a commander whose unit lies
above it; the coordination secretariat opens the briefings of its own unit (node-wide counts, never
the records). The register of agreements is reference data for every member but the auditor.
Conclusions are checked in tests/briefings (a unit's task list shows its own)."""

from __future__ import annotations

from dataclasses import dataclass

from liaison.briefings.models import Agreement, Briefing

from .battery import DetailRoute, ListRoute, Member, RecordType, html_ids, json_ids

OPERATIONAL = {"duty_officer", "analyst", "commander", "liaison_officer"}


@dataclass(frozen=True)
class BriefingFacts:
    pk: str
    owner_path: str


def briefing_facts() -> list[BriefingFacts]:
    return [
        BriefingFacts(str(pk), path) for pk, path in Briefing.objects.values_list("pk", "owner_unit__path")
    ]


def sees_briefing(m: Member, b: BriefingFacts) -> bool:
    if m.unit_country != "VN":
        return False
    if m.role == "secretariat":
        return m.unit_path == b.owner_path
    if m.role not in OPERATIONAL:
        return False
    return m.unit_path == b.owner_path or (m.role == "commander" and b.owner_path.startswith(m.unit_path))


RECORD_TYPES = [
    RecordType(
        name="briefing",
        records=briefing_facts,
        record_id=lambda r: r.pk,
        visible_to=sees_briefing,
        list_routes=[
            ListRoute("api GET /api/v1/briefings", "/api/v1/briefings", json_ids()),
            ListRoute("page briefings/", "/briefings/", html_ids()),
        ],
        detail_routes=[
            DetailRoute("api GET /api/v1/briefings/{briefing_id}", lambda i: f"/api/v1/briefings/{i}"),
            DetailRoute("page briefings/<uuid:briefing_id>/", lambda i: f"/briefings/{i}/"),
        ],
        sample=3,
    ),
    RecordType(
        name="agreement",
        records=lambda: list(Agreement.objects.order_by("review_on")),
        visible_to=lambda m, r: m.unit_country == "VN" and m.role != "auditor",
        list_routes=[
            ListRoute("api GET /api/v1/agreements", "/api/v1/agreements", json_ids()),
            ListRoute("page agreements/", "/agreements/", html_ids()),
        ],
    ),
]

OTHER_ROUTES = {
    "page briefings/<uuid:briefing_id>/<slug:name>/": "POST actions: tests/briefings",
    "page briefings/documents/<uuid:generation_id>/": "a generation is its requester's: tests/briefings/test_documents.py",
    "page briefings/documents/<uuid:generation_id>/file.<str:fmt>": "a generation is its requester's: tests/briefings",
    "page conclusions/": "the active unit's conclusions (its task list): tests/briefings/test_briefing.py",
    "page conclusions/<uuid:conclusion_id>/": "POST: mark a conclusion done: tests/briefings",
    "api GET /api/v1/conclusions/mine": "the active unit's conclusions: tests/briefings/test_briefing.py",
    "api GET /api/v1/briefing-outcomes": "counts over what the reader may see: tests/briefings/test_figures.py",
    "api GET /api/v1/briefing-outcomes.csv": "counts over what the reader may see: tests/briefings",
    "api GET /api/v1/briefing-documents/{generation_id}": "a generation is its requester's: tests/briefings",
    "api GET /api/v1/briefing-documents/{generation_id}/file.{fmt}": "a generation is its requester's: tests/briefings",
    "api POST /api/v1/briefings": "write: tests/briefings",
    "api PATCH /api/v1/briefings/{briefing_id}": "write: tests/briefings",
    "api POST /api/v1/briefings/{briefing_id}/approve": "write: tests/briefings",
    "api POST /api/v1/briefings/{briefing_id}/issue": "write: tests/briefings",
    "api PUT /api/v1/briefings/{briefing_id}/meeting": "write: tests/briefings",
    "api POST /api/v1/briefings/{briefing_id}/conclusions": "write: tests/briefings",
    "api PATCH /api/v1/conclusions/{conclusion_id}": "write: tests/briefings",
    "api POST /api/v1/briefings/{briefing_id}/documents": "write (a background job): tests/briefings",
    "api POST /api/v1/agreements": "write: tests/briefings",
    "api POST /api/v1/agreements/{agreement_id}/file": "write: tests/briefings/test_agreements.py",
    "api PUT /api/v1/briefings/{briefing_id}/agreements": "write: tests/briefings/test_agreements.py",
    "api GET /api/v1/agreements/{agreement_id}/file": "the agreement's file through its visibility: tests/briefings/test_agreements.py",
    "page agreements/<uuid:agreement_id>/file": "the agreement's file through its visibility: tests/briefings/test_agreements.py",
}

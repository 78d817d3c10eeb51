"""Incidents in the battery. The rule (PRODUCT.md "Need to know"): a member of this node in an
operational role (duty officer, analyst, commander, liaison officer; never an administrator or
auditor membership) sees an incident when their active unit is involved — it opened it, leads or supports
it, was notified, escalated to or named, or holds one of its tasks — or, for a commander, when an
involved unit lies below the commander's unit and the incident is not RED."""

from __future__ import annotations

import re
from dataclasses import dataclass

from liaison.incidents.models import Incident, Participant, ResponsePlan, Task

from .battery import DetailRoute, ListRoute, Member, RecordType, html_ids, json_ids

FINAL = {"closed", "cancelled", "merged"}

# PRODUCT.md: involvement grants access to the operational roles only; an administrator or
# auditor membership never reads a record through its unit.
OPERATIONAL = {"duty_officer", "analyst", "commander", "liaison_officer"}


@dataclass(frozen=True)
class IncidentFacts:
    pk: str
    tlp: str
    status: str
    involved_paths: frozenset
    positioned: bool = False


def incident_facts() -> list[IncidentFacts]:
    paths: dict = {}
    for iid, path in Participant.objects.filter(active=True).values_list("incident_id", "unit__path"):
        paths.setdefault(iid, set()).add(path)
    for iid, path in Task.objects.values_list("incident_id", "unit__path"):
        paths.setdefault(iid, set()).add(path)
    out = []
    for pk, tlp, status, opener, lat, alat in Incident.objects.order_by("-opened_at", "-id").values_list(
        "pk", "tlp", "status", "opened_by_unit__path", "lat", "area__lat"
    ):
        involved = set(paths.get(pk, ()))
        if opener:
            involved.add(opener)
        out.append(
            IncidentFacts(str(pk), tlp, status, frozenset(involved), lat is not None or alat is not None)
        )
    return out


def sees_incident(m: Member, it: IncidentFacts) -> bool:
    if m.unit_country != "VN" or m.role not in OPERATIONAL:
        return False
    if m.unit_path in it.involved_paths:
        return True
    return (
        m.role == "commander"
        and it.tlp != "red"
        and any(p.startswith(m.unit_path) for p in it.involved_paths)
    )


def board(m, records, rule):
    return [r for r in records if r.status not in FINAL and rule(m, r)][:300]


def _tasks():
    facts = {f.pk: f for f in incident_facts()}
    return [
        (t, facts[str(t.incident_id)]) for t in Task.objects.select_related("unit").order_by("due_at", "id")
    ]


def staff(m: Member) -> bool:
    return m.unit_country == "VN" and m.role != "auditor"


DATA_TASK = re.compile(r'data-id="([^"]+)"')

RECORD_TYPES = [
    RecordType(
        name="incident",
        records=incident_facts,
        record_id=lambda r: r.pk,
        visible_to=sees_incident,
        list_routes=[
            ListRoute("api GET /api/v1/incidents", "/api/v1/incidents", json_ids(), expected=board),
            ListRoute("page incidents/", "/incidents/", html_ids(), expected=board),
        ],
        detail_routes=[
            DetailRoute("api GET /api/v1/incidents/{incident_id}", lambda i: f"/api/v1/incidents/{i}"),
            DetailRoute(
                "api GET /api/v1/incidents/{incident_id}/people", lambda i: f"/api/v1/incidents/{i}/people"
            ),
            DetailRoute("page incidents/<uuid:incident_id>/", lambda i: f"/incidents/{i}/"),
        ],
        sample=10,
    ),
    RecordType(
        name="task of my unit",
        records=_tasks,
        record_id=lambda r: str(r[0].pk),
        visible_to=lambda m, r: (
            sees_incident(m, r[1]) and r[0].unit.code == m.unit_code and r[0].state in ("open", "in_progress")
        ),
        list_routes=[
            ListRoute("api GET /api/v1/tasks/mine", "/api/v1/tasks/mine", json_ids()),
            ListRoute("page tasks/", "/tasks/", html_ids(DATA_TASK)),
        ],
    ),
    RecordType(
        name="response plan",
        records=lambda: list(ResponsePlan.objects.order_by("id")),
        visible_to=lambda m, r: staff(m),
        list_routes=[
            ListRoute("api GET /api/v1/plans", "/api/v1/plans", json_ids()),
            ListRoute("page plans/", "/plans/", html_ids()),
        ],
    ),
    RecordType(
        name="lead rule",
        records=lambda: list(
            __import__("liaison.incidents.models", fromlist=["LeadRule"]).LeadRule.objects.all()
        ),
        visible_to=lambda m, r: staff(m),
        list_routes=[
            ListRoute("api GET /api/v1/lead-rules", "/api/v1/lead-rules", json_ids()),
            ListRoute("page lead-rules/", "/lead-rules/", html_ids()),
        ],
    ),
]

OTHER_ROUTES = {
    "page incidents/new/": "the open form (refused to roles that may not open): tests/incidents",
    "page incidents/<uuid:incident_id>/<slug:name>/": "POST actions: tests/incidents",
    "page plans/<uuid:plan_id>/approve/": "POST: tests/incidents",
    "api POST /api/v1/incidents": "write: tests/incidents",
    "api POST /api/v1/incidents/{incident_id}/transition": "write: tests/incidents",
    "api POST /api/v1/incidents/{incident_id}/handover": "write: tests/incidents",
    "api POST /api/v1/incidents/{incident_id}/tasks": "write: tests/incidents",
    "api PATCH /api/v1/tasks/{task_id}": "write: tests/incidents",
    "api PUT /api/v1/incidents/{incident_id}/outcome": "write: tests/incidents",
    "api POST /api/v1/incidents/{incident_id}/people": "write: tests/incidents",
    "api POST /api/v1/incidents/{incident_id}/named-units": "write: tests/incidents",
    "api POST /api/v1/incidents/{incident_id}/items": "write: tests/incidents",
    "api POST /api/v1/plans": "write: tests/incidents",
    "api POST /api/v1/plans/{plan_id}/approve": "write: tests/incidents",
    "api PUT /api/v1/lead-rules": "write: tests/incidents",
}

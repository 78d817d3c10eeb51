"""Programs in the battery. The rule (issue 17, PRODUCT.md "Need to know"), for a member of this node
in an operational role (duty officer, analyst, commander, liaison officer; never an administrator or
auditor membership):
- a program is seen by its owner unit and by the units reporting for its participating communes;
- an entry is seen by the program's owner unit and by the unit reporting for the entry's commune
  (so a commune sees its own entries, never another commune's);
- a commander also sees what the units below the commander's unit see (the house's subtree rule);
- nobody else sees anything of a program. The default programs (templates) are reference data for
  every member of this node but an auditor."""

from __future__ import annotations

from dataclasses import dataclass

from liaison.programs.models import Entry, Participation, Program, ProgramTemplate

from .battery import DetailRoute, ListRoute, Member, RecordType, html_ids, json_ids

OPERATIONAL = {"duty_officer", "analyst", "commander", "liaison_officer"}


@dataclass(frozen=True)
class Facts:
    pk: str
    ref: str
    status: str
    involved_paths: frozenset
    program_pk: str = ""
    is_current: bool = True


def _sees(m: Member, involved: frozenset) -> bool:
    if m.unit_country != "VN" or m.role not in OPERATIONAL:
        return False
    if m.unit_path in involved:
        return True
    return m.role == "commander" and any(p.startswith(m.unit_path) for p in involved)


def program_facts() -> list[Facts]:
    communes: dict = {}
    for pid, path in Participation.objects.values_list("program_id", "unit__path"):
        communes.setdefault(pid, set()).add(path)
    return [
        Facts(str(pk), ref, status, frozenset({owner, *communes.get(pk, ())}))
        for pk, ref, status, owner in Program.objects.order_by("-ref").values_list(
            "pk", "ref", "status", "owner_unit__path"
        )
    ]


def entry_facts() -> list[Facts]:
    return [
        Facts(str(pk), ref, status, frozenset({owner, commune}), str(program), current)
        for pk, ref, status, owner, commune, program, current in Entry.objects.order_by("-ref").values_list(
            "pk",
            "ref",
            "status",
            "program__owner_unit__path",
            "participation__unit__path",
            "program_id",
            "is_current",
        )
    ]


def sees_program(m: Member, p: Facts) -> bool:
    return _sees(m, p.involved_paths)


def sees_entry(m: Member, e: Facts) -> bool:
    return _sees(m, e.involved_paths)


def current_entries(m, records, rule):
    return [r for r in records if r.is_current and rule(m, r)][:200]


def figures(m, records, rule):
    return [r for r in records if r.status != "draft" and rule(m, r)]


def rows_ids(response) -> set[str]:
    return {str(r["id"]) for r in response.json()["rows"]}


RECORD_TYPES = [
    RecordType(
        name="program",
        records=program_facts,
        record_id=lambda r: r.pk,
        visible_to=sees_program,
        list_routes=[
            ListRoute("api GET /api/v1/programs", "/api/v1/programs?limit=200", rows_ids),
            ListRoute("page programs/", "/programs/", html_ids()),
            ListRoute(
                "api GET /api/v1/program-figures",
                "/api/v1/program-figures?start=2000-01-01&end=2100-01-01",
                json_ids(),
                expected=figures,
            ),
        ],
        detail_routes=[
            DetailRoute("api GET /api/v1/programs/{program_id}", lambda i: f"/api/v1/programs/{i}"),
            DetailRoute(
                "api GET /api/v1/programs/{program_id}/progress", lambda i: f"/api/v1/programs/{i}/progress"
            ),
            DetailRoute(
                "api GET /api/v1/programs/{program_id}/progress.{fmt}",
                lambda i: f"/api/v1/programs/{i}/progress.csv",
            ),
            DetailRoute("api GET /api/v1/programs/{program_id}/map", lambda i: f"/api/v1/programs/{i}/map"),
            DetailRoute(
                "api GET /api/v1/programs/{program_id}/missing", lambda i: f"/api/v1/programs/{i}/missing"
            ),
            DetailRoute("page programs/<uuid:program_id>/", lambda i: f"/programs/{i}/"),
            DetailRoute(
                "page programs/<uuid:program_id>/progress.<str:fmt>", lambda i: f"/programs/{i}/progress.xlsx"
            ),
        ],
        sample=5,
    ),
    RecordType(
        name="program entry",
        records=entry_facts,
        record_id=lambda r: r.pk,
        visible_to=sees_entry,
        list_routes=[
            ListRoute(
                "api GET /api/v1/entries", "/api/v1/entries?limit=200", rows_ids, expected=current_entries
            ),
        ],
        detail_routes=[
            DetailRoute("api GET /api/v1/entries/{entry_id}", lambda i: f"/api/v1/entries/{i}"),
            DetailRoute("page programs/entries/<uuid:entry_id>/", lambda i: f"/programs/entries/{i}/"),
        ],
        sample=8,
    ),
    RecordType(
        name="program template",
        records=lambda: list(ProgramTemplate.objects.filter(is_active=True).order_by("code")),
        record_id=lambda r: r.code,
        visible_to=lambda m, r: m.unit_country == "VN" and m.role != "auditor",
        list_routes=[
            ListRoute("api GET /api/v1/program-templates", "/api/v1/program-templates", json_ids("code"))
        ],
    ),
]

OTHER_ROUTES = {
    "page programs/new/": "the new-program form (refused to roles that may not create): tests/programs",
    "page programs/<uuid:program_id>/entry/": "one commune's month (refused to units that do not report): tests/programs",
    "page programs/<uuid:program_id>/<slug:name>/": "POST actions: tests/programs",
    "page programs/<uuid:program_id>/targets/": "the owner's targets form (refused to others): tests/programs",
    "page programs/<uuid:program_id>/edit/": "the owner's edit form (refused to others): tests/programs/test_pages.py",
    "page programs/entries/<uuid:entry_id>/<slug:name>/": "POST actions: tests/programs",
    "api POST /api/v1/programs": "write: tests/programs",
    "api PATCH /api/v1/programs/{program_id}": "write: tests/programs",
    "api PUT /api/v1/programs/{program_id}/targets": "write: tests/programs",
    "api POST /api/v1/programs/{program_id}/activate": "write: tests/programs",
    "api POST /api/v1/programs/{program_id}/close": "write: tests/programs",
    "api POST /api/v1/programs/{program_id}/entries": "write: tests/programs",
    "api POST /api/v1/entries/{entry_id}/approve": "write: tests/programs",
    "api POST /api/v1/entries/{entry_id}/return": "write: tests/programs",
    "api POST /api/v1/entries/{entry_id}/resubmit": "write: tests/programs",
    "api POST /api/v1/entries/{entry_id}/corrections": "write: tests/programs",
    "api PUT /api/v1/program-templates/{code}": "write: tests/programs",
}

"""/api/v1/programs, /entries, /program-templates, /program-figures: a thin router over the
programs' services and selectors."""

from __future__ import annotations

import uuid

from django.http import HttpResponse
from ninja import Query, Router, Status

from liaison import policy
from liaison.core.api import WithParts, actor_of, idempotent_create
from liaison.core.errors import Invalid, NotFound
from liaison.geo.models import Area
from liaison.org.models import Unit
from liaison.programs import exports, selectors, services
from liaison.programs.models import Program, ProgramTemplate
from liaison.programs.schemas import (
    CorrectionIn,
    EntryFilter,
    EntryIn,
    EntryOut,
    EntryPageOut,
    FiguresQuery,
    MissingOut,
    ProgramFilter,
    ProgramIn,
    ProgramOut,
    ProgramPageOut,
    ProgramPatch,
    ResubmitIn,
    ReturnIn,
    TargetsIn,
    TemplateIn,
    TemplateOut,
)

router = Router(tags=["programs"])


def _area(actor, code: str, field: str) -> Area:
    area = policy.visible(actor, Area, "locate").filter(code=code, kind="commune").first()
    if area is None:
        raise Invalid(field=field, code="unknown", message=f"No such commune: {code}.")
    return area


def _communes(actor, communes) -> list:
    out = []
    for i, c in enumerate(communes):
        unit = policy.visible(actor, Unit, "report").filter(code=c.unit).first()
        if unit is None:
            raise Invalid(
                field=f"communes.{i}.unit", code="unknown", message=f"No commune-level unit {c.unit}."
            )
        out.append((_area(actor, c.commune, f"communes.{i}.commune"), unit))
    return out


def program_out(actor, program: Program) -> WithParts:
    targets = selectors.program_targets(actor, program=program)
    return WithParts(
        program,
        template=program.template.code if program.template_id else None,
        indicators=selectors.program_indicators(actor, program=program),
        communes=selectors.program_participations(actor, program=program),
        targets=[
            {
                "indicator": t.indicator.code,
                "commune": t.participation.commune.code if t.participation_id else None,
                "number": t.number,
                "choice": t.choice,
            }
            for t in targets
        ],
    )


def _program(actor, program_id) -> Program:
    return selectors.program_get(actor, program_id=program_id)


@router.get("/programs", response=ProgramPageOut)
def list_programs(request, f: Query[ProgramFilter]):
    page = selectors.program_list(actor_of(request), status=f.status, cursor=f.cursor, limit=f.limit)
    return {"rows": page.rows, "next_cursor": page.next_cursor}


@router.post("/programs", response={201: ProgramOut})
def create_program(request, payload: ProgramIn):
    actor = actor_of(request)
    policy.require(actor, "program.create")

    def create():
        template = None
        if payload.template:
            template = (
                policy.visible(actor, ProgramTemplate).filter(code=payload.template, is_active=True).first()
            )
            if template is None:
                raise Invalid(
                    field="template", code="unknown", message=f"No such program: {payload.template}."
                )
        return services.program_create(
            actor,
            name_vi=payload.name_vi,
            name_en=payload.name_en,
            name_lo=payload.name_lo,
            description=payload.description,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            template=template,
            indicators=None if payload.indicators is None else [i.dict() for i in payload.indicators],
            communes=_communes(actor, payload.communes),
        )

    status, program = idempotent_create(
        request, "programs.create", create, replay=lambda rid: _program(actor, rid)
    )
    return Status(status, program_out(actor, _program(actor, program.pk)))


@router.get("/programs/{program_id}", response=ProgramOut)
def get_program(request, program_id: uuid.UUID):
    actor = actor_of(request)
    return program_out(actor, selectors.program_get(actor, program_id=program_id, audit_read=True))


@router.patch("/programs/{program_id}", response=ProgramOut)
def update_program(request, program_id: uuid.UUID, payload: ProgramPatch):
    actor = actor_of(request)
    program = _program(actor, program_id)
    services.program_update(
        actor,
        program,
        name_vi=payload.name_vi,
        name_en=payload.name_en,
        name_lo=payload.name_lo,
        description=payload.description,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        communes=None if payload.communes is None else _communes(actor, payload.communes),
    )
    return program_out(actor, _program(actor, program_id))


@router.put("/programs/{program_id}/targets", response=ProgramOut)
def set_targets(request, program_id: uuid.UUID, payload: TargetsIn):
    actor = actor_of(request)
    program = _program(actor, program_id)
    targets = []
    for i, t in enumerate(payload.targets):
        commune = _area(actor, t.commune, f"targets.{i}.commune") if t.commune else None
        targets.append({"indicator": t.indicator, "commune": commune, "number": t.number, "choice": t.choice})
    services.program_targets_set(actor, program, targets=targets)
    return program_out(actor, _program(actor, program_id))


@router.post("/programs/{program_id}/activate", response=ProgramOut)
def activate_program(request, program_id: uuid.UUID):
    actor = actor_of(request)
    services.program_activate(actor, _program(actor, program_id))
    return program_out(actor, _program(actor, program_id))


@router.post("/programs/{program_id}/close", response=ProgramOut)
def close_program(request, program_id: uuid.UUID):
    actor = actor_of(request)
    services.program_close(actor, _program(actor, program_id))
    return program_out(actor, _program(actor, program_id))


@router.get("/programs/{program_id}/missing", response=list[MissingOut])
def missing_months(request, program_id: uuid.UUID):
    actor = actor_of(request)
    return selectors.missing(actor, program=_program(actor, program_id))


def progress_json(progress: selectors.Progress) -> dict:
    def cells(by_code: dict) -> dict:
        return {
            code: {"value": c.value, "choice": c.choice, "target": c.target, "percent": c.percent}
            for code, c in by_code.items()
        }

    def row(r: selectors.Row) -> dict:
        return {
            "key": r.key,
            "label": r.label,
            "percent": None if r.share is None else round(r.share * 100),
            "months": [
                {"month": m, "status": r.reported.get(m, ""), "indicators": cells(r.by_month.get(m, {}))}
                for m in progress.months
            ],
        }

    return {
        "program": progress.program.ref,
        "months": progress.months,
        "indicators": [i.code for i in progress.indicators],
        "communes": [row(r) for r in progress.communes],
        "total": row(progress.total),
    }


@router.get("/programs/{program_id}/progress", response=dict)
def program_progress(request, program_id: uuid.UUID):
    actor = actor_of(request)
    return progress_json(selectors.progress(actor, program=_program(actor, program_id)))


@router.get("/programs/{program_id}/map", response=dict)
def program_map(request, program_id: uuid.UUID):
    """A map layer: the communes the reader follows, coloured by progress (GeoJSON)."""
    actor = actor_of(request)
    return selectors.progress_layer(actor, program=_program(actor, program_id))


@router.get("/programs/{program_id}/progress.{fmt}")
def program_progress_export(request, program_id: uuid.UUID, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise NotFound("export format")
    actor = actor_of(request)
    return exports.progress_export(actor, selectors.progress(actor, program=_program(actor, program_id)), fmt)


# --- entries --------------------------------------------------------------------------------------


def entry_out(actor, entry) -> WithParts:
    return WithParts(
        entry,
        values=selectors.entry_values(actor, entry=entry),
        versions=selectors.entry_versions(actor, entry=entry),
    )


def _entry(actor, entry_id):
    return selectors.entry_get(actor, entry_id=entry_id)


def _values(values) -> list:
    return [(v.indicator, v.value) for v in values]


@router.get("/entries", response=EntryPageOut)
def list_entries(request, f: Query[EntryFilter]):
    """The entries the reader may see, across programs (one program: `program`), newest first."""
    actor = actor_of(request)
    program = None
    if f.program:
        program = policy.visible(actor, Program).filter(ref=f.program).first()
        if program is None:
            return {"rows": [], "next_cursor": None}
    page = selectors.entry_list(
        actor,
        program=program,
        month=f.month,
        commune=f.commune,
        status=f.status,
        all_versions=f.all_versions,
        cursor=f.cursor,
        limit=f.limit,
    )
    return {"rows": page.rows, "next_cursor": page.next_cursor}


@router.post("/programs/{program_id}/entries", response={201: EntryOut})
def submit_entry(request, program_id: uuid.UUID, payload: EntryIn):
    actor = actor_of(request)
    program = _program(actor, program_id)

    def create():
        commune = policy.visible(actor, Area, "locate").filter(code=payload.commune).first()
        return services.entry_submit(
            actor,
            program=program,
            commune=commune,
            month=payload.month,
            values=_values(payload.values),
            note=payload.note,
        )

    status, entry = idempotent_create(
        request, f"programs.entry.{program.pk}", create, replay=lambda rid: _entry(actor, rid)
    )
    return Status(status, entry_out(actor, _entry(actor, entry.pk)))


@router.get("/entries/{entry_id}", response=EntryOut)
def get_entry(request, entry_id: uuid.UUID):
    actor = actor_of(request)
    return entry_out(actor, _entry(actor, entry_id))


@router.post("/entries/{entry_id}/approve", response=EntryOut)
def approve_entry(request, entry_id: uuid.UUID):
    actor = actor_of(request)
    services.entry_approve(actor, _entry(actor, entry_id))
    return entry_out(actor, _entry(actor, entry_id))


@router.post("/entries/{entry_id}/return", response=EntryOut)
def return_entry(request, entry_id: uuid.UUID, payload: ReturnIn):
    actor = actor_of(request)
    services.entry_return(actor, _entry(actor, entry_id), reason=payload.reason)
    return entry_out(actor, _entry(actor, entry_id))


@router.post("/entries/{entry_id}/resubmit", response=EntryOut)
def resubmit_entry(request, entry_id: uuid.UUID, payload: ResubmitIn):
    actor = actor_of(request)
    services.entry_resubmit(actor, _entry(actor, entry_id), values=_values(payload.values), note=payload.note)
    return entry_out(actor, _entry(actor, entry_id))


@router.post("/entries/{entry_id}/corrections", response={201: EntryOut})
def correct_entry(request, entry_id: uuid.UUID, payload: CorrectionIn):
    """A correction after approval: a new version (the old one is kept)."""
    actor = actor_of(request)
    entry = _entry(actor, entry_id)

    def create():
        return services.entry_correct(actor, entry, values=_values(payload.values), reason=payload.reason)

    status, new = idempotent_create(
        request, f"programs.correct.{entry.pk}", create, replay=lambda rid: _entry(actor, rid)
    )
    return Status(status, entry_out(actor, _entry(actor, new.pk)))


# --- defaults and figures -------------------------------------------------------------------------


def template_out(actor, t: ProgramTemplate) -> WithParts:
    return WithParts(t, indicators=selectors.template_indicators(actor, template=t))


@router.get("/program-templates", response=list[TemplateOut])
def list_templates(request):
    actor = actor_of(request)
    return [template_out(actor, t) for t in selectors.templates(actor)]


@router.put("/program-templates/{code}", response=TemplateOut)
def edit_template(request, code: str, payload: TemplateIn):
    actor = actor_of(request)
    t = selectors.template_get(actor, code=code)
    services.template_indicators_set(
        actor,
        t,
        name_vi=payload.name_vi,
        name_en=payload.name_en,
        name_lo=payload.name_lo,
        indicators=[i.dict() for i in payload.indicators],
    )
    return template_out(actor, selectors.template_get(actor, code=code))


@router.get("/program-figures", response=list[dict])
def program_figures(request, f: Query[FiguresQuery]):
    """Each program's figures in a period (the quarterly briefing): sums over the approved entries."""
    return selectors.figures(actor_of(request), start=f.start, end=f.end)

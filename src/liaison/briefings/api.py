"""/api/v1/briefings, /conclusions, /agreements, /briefing-outcomes: a thin router over the
briefings' services and selectors."""

from __future__ import annotations

import csv
import io
import uuid

from django.conf import settings
from django.http import FileResponse, HttpResponse
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from liaison.briefings import figures, selectors, services, tasks
from liaison.briefings.schemas import (
    AgreementIn,
    BriefingIn,
    BriefingPatch,
    CitationsIn,
    ConclusionIn,
    ConclusionPatch,
    MeetingIn,
    PeriodQuery,
    as_date,
)
from liaison.briefings.selectors import FORMATS, agreement_out, briefing_out, conclusion_out
from liaison.core.api import actor_of, idempotent_create
from liaison.core.errors import Invalid, NotFound

router = Router(tags=["briefings"])


@router.get("/briefings", response=list[dict])
def briefing_list(request):
    return [
        {**r, "id": str(r["id"]), "starts_on": as_date(r["starts_on"]), "ends_on": as_date(r["ends_on"])}
        for r in selectors.briefing_list(actor_of(request))
    ]


@router.post("/briefings", response={201: dict})
def briefing_create(request, payload: BriefingIn):
    actor = actor_of(request)

    def create():
        return services.briefing_create(actor, **payload.model_dump())

    def replay(pk):
        return selectors.briefing_get(actor, briefing_id=pk)

    status, b = idempotent_create(request, "briefings.create", create, replay)
    return Status(status, briefing_out(actor, b, with_figures=False))


@router.get("/briefings/{briefing_id}", response=dict)
def briefing_detail(request, briefing_id: uuid.UUID):
    actor = actor_of(request)
    return briefing_out(actor, selectors.briefing_get(actor, briefing_id=briefing_id, audit_read=True))


@router.patch("/briefings/{briefing_id}", response=dict)
def briefing_patch(request, briefing_id: uuid.UUID, payload: BriefingPatch):
    actor = actor_of(request)
    b = selectors.briefing_get(actor, briefing_id=briefing_id)
    b = services.briefing_edit(actor, briefing=b, **payload.model_dump(exclude_none=True))
    return briefing_out(actor, b, with_figures=False)


@router.post("/briefings/{briefing_id}/approve", response=dict)
def briefing_approve(request, briefing_id: uuid.UUID):
    actor = actor_of(request)
    b = services.briefing_approve(actor, briefing=selectors.briefing_get(actor, briefing_id=briefing_id))
    return briefing_out(actor, b, with_figures=False)


@router.post("/briefings/{briefing_id}/issue", response=dict)
def briefing_issue(request, briefing_id: uuid.UUID):
    actor = actor_of(request)
    b = services.briefing_issue(actor, briefing=selectors.briefing_get(actor, briefing_id=briefing_id))
    return briefing_out(actor, b, with_figures=False)


@router.put("/briefings/{briefing_id}/meeting", response=dict)
def meeting_put(request, briefing_id: uuid.UUID, payload: MeetingIn):
    actor = actor_of(request)
    b = selectors.briefing_get(actor, briefing_id=briefing_id)
    services.meeting_record(actor, briefing=b, **payload.model_dump())
    return briefing_out(actor, b)["meeting"]


@router.post("/briefings/{briefing_id}/conclusions", response={201: dict})
def conclusion_create(request, briefing_id: uuid.UUID, payload: ConclusionIn):
    actor = actor_of(request)
    b = selectors.briefing_get(actor, briefing_id=briefing_id)

    def create():
        return services.conclusion_assign(actor, briefing=b, **payload.model_dump())

    def replay(pk):
        return selectors.conclusion_get(actor, conclusion_id=pk)

    status, c = idempotent_create(request, f"briefings.conclusions.{b.pk}", create, replay)
    return Status(status, conclusion_out(c))


@router.get("/conclusions/mine", response=list[dict])
def conclusions_mine(request, open_only: bool = True):
    return [conclusion_out(c) for c in selectors.unit_conclusions(actor_of(request), open_only=open_only)]


@router.patch("/conclusions/{conclusion_id}", response=dict)
def conclusion_patch(request, conclusion_id: uuid.UUID, payload: ConclusionPatch):
    actor = actor_of(request)
    c = selectors.conclusion_get(actor, conclusion_id=conclusion_id)
    return conclusion_out(services.conclusion_update(actor, conclusion=c, **payload.model_dump()))


@router.post("/briefings/{briefing_id}/documents", response={202: dict})
def documents_request(request, briefing_id: uuid.UUID):
    actor = actor_of(request)
    b = selectors.briefing_get(actor, briefing_id=briefing_id)
    g = services.generation_request(actor, briefing=b, enqueue=tasks.generate_documents.enqueue)
    return Status(202, {"id": str(g.pk), "state": g.state, "percent": g.percent})


@router.get("/briefing-documents/{generation_id}", response=dict)
def documents_progress(request, generation_id: uuid.UUID):
    g = selectors.generation_get(actor_of(request), generation_id=generation_id)
    return {"id": str(g.pk), "state": g.state, "percent": g.percent, "step": g.step, "error": g.error}


@router.get("/briefing-documents/{generation_id}/file.{fmt}")
def documents_file(request, generation_id: uuid.UUID, fmt: str):
    actor = actor_of(request)
    g = selectors.generation_get(actor, generation_id=generation_id)
    if fmt not in FORMATS or g.state != "done":
        raise NotFound("document")
    data = selectors.generation_file(actor, generation=g, fmt=fmt)
    resp = HttpResponse(bytes(data), content_type=FORMATS[fmt])
    resp["Content-Disposition"] = f'attachment; filename="{g.briefing.ref}.{fmt}"'
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


def _outcomes(actor, q: PeriodQuery) -> dict:
    p = figures.period(q.period_kind, q.on, q.ends_on) if q.on else figures.last_quarter()
    scope = figures.Scope(q.scope_kind, q.scope_code)
    f = figures.incidents(actor, p, scope)
    return {
        "period": {"label": p.label, "starts_on": as_date(p.starts_on), "ends_on": as_date(p.ends_on)},
        "incidents": f["total"],
        "outcomes": f["outcomes"],
        "outcome_incidents": f["outcome_incidents"],
        "seizures": f["seizures"],
        "seizure_incidents": f["seizure_incidents"],
    }


@router.get("/briefing-outcomes", response=dict)
def outcome_totals(request, q: Query[PeriodQuery]):
    """Outcome totals of the incidents of a period (arrests, detentions, people rescued and evacuated,
    casualties, seizures by kind and unit), counted over what the reader may see."""
    return _outcomes(actor_of(request), q)


@router.get("/briefing-outcomes.csv")
def outcome_totals_csv(request, q: Query[PeriodQuery]):
    data = _outcomes(actor_of(request), q)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["section", "key", "total", "incidents", data["period"]["label"]])
    for k, v in data["outcomes"].items():
        w.writerow(["outcome", k, v, data["outcome_incidents"].get(k, 0), ""])
    for k, v in data["seizures"].items():
        w.writerow(["seizure", k, v, data["seizure_incidents"].get(k, 0), ""])
    resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = 'attachment; filename="ket-qua-xu-ly.csv"'
    return resp


@router.get("/agreements", response=list[dict])
def agreement_list(request):
    return [agreement_out(a) for a in selectors.agreement_list(actor_of(request))]


@router.post("/agreements", response={201: dict})
def agreement_create(request, payload: AgreementIn):
    actor = actor_of(request)

    def create():
        return services.agreement_save(actor, **payload.model_dump())

    def replay(pk):
        return selectors.agreement_get(actor, agreement_id=pk)

    status, a = idempotent_create(request, "agreements.create", create, replay)
    return Status(status, agreement_out(a))


@router.post("/agreements/{agreement_id}/file", response=dict)
def agreement_file_put(request, agreement_id: uuid.UUID, file: File[UploadedFile]):
    """The signed file (multipart field `file`): PDF, DOCX, JPEG or PNG by its content, within the
    attachment size limit; replaces the one before."""
    actor = actor_of(request)
    a = selectors.agreement_get(actor, agreement_id=agreement_id)
    if file.size > settings.ATTACHMENT_MAX_BYTES:  # refused before it is read into memory
        raise Invalid(field="file", code="file_too_large", message="The file is too large.")
    a = services.agreement_file_attach(actor, agreement=a, filename=file.name or "", data=file.read())
    return agreement_out(a)


@router.get("/agreements/{agreement_id}/file", url_name="agreement_file")
def agreement_file_get(request, agreement_id: uuid.UUID):
    a, path = selectors.agreement_file(actor_of(request), agreement_id=agreement_id)
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115
        as_attachment=True,
        filename=a.file_name,
        content_type=a.file_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.put("/briefings/{briefing_id}/agreements", response=dict)
def briefing_agreements_put(request, briefing_id: uuid.UUID, payload: CitationsIn):
    """The agreements the briefing cites, by reference (replaces the list)."""
    actor = actor_of(request)
    b = selectors.briefing_get(actor, briefing_id=briefing_id)
    services.briefing_cite(actor, briefing=b, agreements=payload.agreements)
    return {"agreements": [agreement_out(a) for a in selectors.cited_agreements(actor, briefing=b)]}

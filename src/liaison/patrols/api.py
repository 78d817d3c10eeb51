"""/api/v1/patrols, /patrol-plans, /checkins, /patrol-coverage, /patrol-figures, /patrol-markers."""

from __future__ import annotations

import base64
import binascii
import uuid

from django.http import FileResponse, HttpResponse
from ninja import Query, Router, Status

from liaison import policy
from liaison.core.api import WithParts, actor_of, idempotent_create
from liaison.core.errors import Invalid, NotFound
from liaison.incidents.models import IncidentType
from liaison.intel.models import Category
from liaison.org.models import Unit
from liaison.patrols import exports, selectors, services, stats
from liaison.patrols.models import Marker, PatrolPlan, Segment
from liaison.patrols.schemas import (
    CheckInIn,
    CheckInOut,
    MarkerCoverageOut,
    MarkerImportIn,
    PatrolCoverageIn,
    PatrolCoverageQuery,
    PatrolFiguresQuery,
    PatrolFilter,
    PatrolFindingIn,
    PatrolFindingOut,
    PatrolIn,
    PatrolOut,
    PatrolPageOut,
    PatrolPlanIn,
    PatrolPlanOut,
    PatrolTransitionIn,
)

router = Router(tags=["patrols"])


def _unit(actor, code, field) -> Unit | None:
    if not code:
        return None
    u = policy.visible(actor, Unit).filter(code=code).first()
    if u is None:
        raise Invalid(field=field, code="unknown", message=f"No such unit: {code}.")
    return u


def _marker(actor, number, field="marker") -> Marker | None:
    if not number:
        return None
    m = policy.visible(actor, Marker).select_related("place").filter(number=number).first()
    if m is None:
        raise Invalid(field=field, code="unknown", message=f"No such marker: {number}.")
    return m


def patrol_out(actor, patrol) -> WithParts:
    return WithParts(
        patrol,
        partner_unit=patrol.partner_unit.code if patrol.partner_unit_id else None,
        participants=[u.code for u in selectors.patrol_participants(actor, patrol=patrol)],
        route=selectors.patrol_route(actor, patrol=patrol),
        checkins=selectors.patrol_checkins(actor, patrol=patrol),
        findings=selectors.patrol_findings(actor, patrol=patrol),
    )


# --- plans ------------------------------------------------------------------------------------


@router.get("/patrol-plans", response=list[PatrolPlanOut])
def plans(request):
    return selectors.plan_list(actor_of(request))


@router.post("/patrol-plans", response={201: PatrolPlanOut})
def draft_plan(request, payload: PatrolPlanIn):
    actor = actor_of(request)

    def create():
        post = _unit(actor, payload.post, "post")
        return services.plan_draft(actor, post=post, month=payload.month, note=payload.note)

    status, plan = idempotent_create(
        request, "patrols.plan", create, replay=lambda rid: selectors.plan_get(actor, plan_id=rid)
    )
    return Status(status, selectors.plan_get(actor, plan_id=plan.pk))


@router.get("/patrol-plans/{plan_id}", response=PatrolPlanOut)
def get_plan(request, plan_id: uuid.UUID):
    return selectors.plan_get(actor_of(request), plan_id=plan_id)


@router.post("/patrol-plans/{plan_id}/approve", response=PatrolPlanOut)
def approve_plan(request, plan_id: uuid.UUID):
    actor = actor_of(request)
    plan = selectors.plan_get(actor, plan_id=plan_id)
    services.plan_approve(actor, plan=plan)
    return selectors.plan_get(actor, plan_id=plan_id)


# --- patrols ----------------------------------------------------------------------------------


@router.get("/patrols", response=PatrolPageOut)
def patrols(request, f: Query[PatrolFilter]):
    return selectors.patrol_list(actor_of(request), f)


@router.post("/patrols", response={201: PatrolOut})
def create_patrol(request, payload: PatrolIn):
    actor = actor_of(request)

    def create():
        lead = _unit(actor, payload.lead_unit, "lead_unit") or actor.unit
        route = []
        for i, stop in enumerate(payload.route):
            if bool(stop.segment) == bool(stop.marker):
                raise Invalid(field=f"route.{i}", code="invalid", message="A segment or a marker, not both.")
            if stop.segment:
                seg = policy.visible(actor, Segment).filter(code=stop.segment).first()
                if seg is None:
                    raise Invalid(field=f"route.{i}.segment", code="unknown", message="No such segment.")
                route.append(seg)
            else:
                route.append(_marker(actor, stop.marker, f"route.{i}.marker"))
        participants = [_unit(actor, c, "participants") for c in payload.participants]
        partner = None
        if payload.partner_unit:
            # A unit across the border is named as a reference only.
            partner = policy.visible(actor, Unit).filter(code=payload.partner_unit).first()
            if partner is None or not policy.can(actor, "patrol.partner", partner):
                raise Invalid(
                    field="partner_unit", code="not_partner", message="No such unit across the border."
                )
        plan = None
        if payload.plan:
            plan = policy.visible(actor, PatrolPlan).filter(pk=payload.plan).first()
            if plan is None:
                raise Invalid(field="plan", code="unknown", message="No such plan.")
        return services.patrol_create(
            actor,
            lead_unit=lead,
            kind=payload.kind,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            people=payload.people,
            route=route,
            participants=participants,
            partner_unit=partner,
            partner_people=payload.partner_people,
            plan=plan,
            purpose=payload.purpose,
        )

    status, p = idempotent_create(
        request, "patrols.create", create, replay=lambda rid: selectors.patrol_get(actor, patrol_id=rid)
    )
    return Status(status, patrol_out(actor, selectors.patrol_get(actor, patrol_id=p.pk)))


@router.get("/patrols/{patrol_id}", response=PatrolOut)
def get_patrol(request, patrol_id: uuid.UUID):
    actor = actor_of(request)
    return patrol_out(actor, selectors.patrol_get(actor, patrol_id=patrol_id, audit_read=True))


@router.post("/patrols/{patrol_id}/transition", response=PatrolOut)
def transition(request, patrol_id: uuid.UUID, payload: PatrolTransitionIn):
    actor = actor_of(request)
    p = selectors.patrol_get(actor, patrol_id=patrol_id)
    services.patrol_transition(actor, patrol=p, to=payload.status, reason=payload.reason)
    return patrol_out(actor, selectors.patrol_get(actor, patrol_id=patrol_id))


@router.get("/patrols/{patrol_id}/geojson", response=dict)
def geojson(request, patrol_id: uuid.UUID):
    actor = actor_of(request)
    return selectors.patrol_geojson(actor, patrol=selectors.patrol_get(actor, patrol_id=patrol_id))


@router.get("/patrols/{patrol_id}/minutes.docx")
def minutes_docx(request, patrol_id: uuid.UUID):
    actor = actor_of(request)
    p = selectors.patrol_get(actor, patrol_id=patrol_id)
    data = exports.minutes_docx(actor, patrol=p)
    response = HttpResponse(data, content_type=exports.DOCX)
    response["Content-Disposition"] = f'attachment; filename="bien-ban-{p.ref}.docx"'
    return response


@router.get("/patrols/{patrol_id}/minutes.pdf")
def minutes_pdf(request, patrol_id: uuid.UUID):
    actor = actor_of(request)
    p = selectors.patrol_get(actor, patrol_id=patrol_id)
    data = exports.minutes_pdf(actor, patrol=p)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bien-ban-{p.ref}.pdf"'
    return response


# --- check-ins and findings ---------------------------------------------------------------------


@router.post("/patrols/{patrol_id}/checkins", response={201: CheckInOut})
def check_in(request, patrol_id: uuid.UUID, payload: CheckInIn):
    actor = actor_of(request)
    patrol = selectors.patrol_get(actor, patrol_id=patrol_id)

    def create():
        photo = None
        if payload.photo is not None:
            try:
                data = base64.b64decode(payload.photo.data_base64, validate=True)
            except (binascii.Error, ValueError):
                raise Invalid(field="photo.data_base64", code="malformed", message="Not base64.") from None
            photo = services.Photo(payload.photo.filename, data)
        return services.checkin_record(
            actor,
            patrol=patrol,
            marker=_marker(actor, payload.marker),
            at=payload.at,
            lat=payload.lat,
            lon=payload.lon,
            condition=payload.condition,
            note=payload.note,
            photo=photo,
        )

    status, c = idempotent_create(
        request, "patrols.checkin", create, replay=lambda rid: selectors.checkin_get(actor, checkin_id=rid)
    )
    c = selectors.checkin_get(actor, checkin_id=c.pk)
    c.has_photo = bool(c.photo_sha256)
    return Status(status, c)


@router.get("/checkins/{checkin_id}", response=CheckInOut)
def get_checkin(request, checkin_id: uuid.UUID):
    c = selectors.checkin_get(actor_of(request), checkin_id=checkin_id)
    c.has_photo = bool(c.photo_sha256)
    return c


@router.get("/checkins/{checkin_id}/photo")
def checkin_photo(request, checkin_id: uuid.UUID):
    actor = actor_of(request)
    c = selectors.checkin_get(actor, checkin_id=checkin_id)
    if not c.photo_sha256:
        raise NotFound("photo")
    path = services.checkin_photo(actor, checkin=c)
    return FileResponse(open(path, "rb"), content_type=c.photo_type)  # noqa: SIM115


@router.post("/checkins/{checkin_id}/findings", response={201: PatrolFindingOut})
def report_finding(request, checkin_id: uuid.UUID, payload: PatrolFindingIn):
    actor = actor_of(request)
    c = selectors.checkin_get(actor, checkin_id=checkin_id)

    def create():
        category = itype = None
        if payload.as_ == "item":
            category = policy.visible(actor, Category).filter(code=payload.category or "").first()
            if category is None:
                raise Invalid(field="category", code="unknown", message="An item needs an active category.")
        else:
            itype = (
                policy.visible(actor, IncidentType).filter(code=payload.type or "", is_active=True).first()
            )
            if itype is None:
                raise Invalid(field="type", code="unknown", message="An incident needs an active type.")
        return services.finding_report(
            actor,
            checkin=c,
            as_=payload.as_,
            title=payload.title,
            body=payload.body,
            category=category,
            incident_type=itype,
            severity=payload.severity,
            tlp=payload.tlp,
        )

    def replay(rid):
        return next(f for f in selectors.patrol_findings(actor, patrol=c.patrol) if str(f["id"]) == rid)

    status, f = idempotent_create(request, "patrols.finding", create, replay=replay)
    if not isinstance(f, dict):
        f = replay(str(f.pk))
    return Status(status, f)


# --- coverage, figures, markers --------------------------------------------------------------------


@router.get("/patrol-coverage/markers", response=list[MarkerCoverageOut])
def coverage_markers(request):
    return selectors.marker_coverage(actor_of(request))


@router.get("/patrol-coverage/unchecked.geojson", response=dict)
def coverage_layer(request):
    """Markers not checked within their post's N days: the map layer."""
    return selectors.unchecked_layer(actor_of(request))


@router.get("/patrol-coverage/months", response=dict)
def coverage_months(request, q: Query[PatrolCoverageQuery]):
    data = selectors.coverage_by_month(actor_of(request), months=q.months, on=q.on)
    return {
        "months": [m.isoformat() for m in data["months"]],
        "rows": [
            {**r, "months": [{**c, "month": c["month"].isoformat()} for c in r["months"]]}
            for r in data["rows"]
        ],
    }


@router.get("/patrol-coverage/damaged", response=list[dict])
def damaged(request):
    return [
        {
            **r,
            "id": str(r["id"]),
            "condition_at": r["condition_at"].isoformat() if r["condition_at"] else None,
        }
        for r in selectors.damaged_markers(actor_of(request))
    ]


@router.put("/patrol-coverage/settings", response=dict)
def configure(request, payload: PatrolCoverageIn):
    actor = actor_of(request)
    post = _unit(actor, payload.post, "post")
    s = services.coverage_configure(actor, post=post, days=payload.days)
    return {"post": post.code, "days": s.unchecked_days}


@router.get("/patrol-figures", response=dict)
def figures(request, q: Query[PatrolFiguresQuery]):
    return stats.patrol_figures(actor_of(request), since=q.since, until=q.until)


@router.post("/patrol-markers/import", response=dict)
def import_markers(request, payload: MarkerImportIn):
    return services.markers_import(actor_of(request), text=payload.csv, source=payload.source)

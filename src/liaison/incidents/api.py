"""/api/v1/incidents, /tasks, /plans, /lead-rules."""

from __future__ import annotations

import uuid

from ninja import Query, Router, Status

from liaison import policy
from liaison.core.api import WithParts, actor_of, idempotent_create
from liaison.core.errors import Invalid, NotFound
from liaison.geo.models import Area, Place
from liaison.incidents import selectors, services
from liaison.incidents.models import Incident, IncidentType
from liaison.incidents.schemas import (
    BoardFilter,
    HandoverIn,
    IncidentIn,
    IncidentOut,
    IncidentRowOut,
    ItemRefIn,
    LeadRuleIn,
    LeadRuleOut,
    OutcomeIn,
    PersonIn,
    PersonOut,
    PlanIn,
    PlanOut,
    TaskFilter,
    TaskIn,
    TaskOut,
    TaskUpdateIn,
    TransitionIn,
    UnitRefIn,
)
from liaison.intel import selectors as intel_selectors
from liaison.org.models import Unit, User

router = Router(tags=["incidents"])


def _code(model, field, code, actor, **extra):
    if not code:
        return None
    obj = policy.visible(actor, model).filter(code=code, **extra).first()
    if obj is None:
        raise Invalid(field=field, code="unknown", message=f"No such {field}: {code}.")
    return obj


def _as_request_fields(fn, **names):
    """Run a service; its field errors are renamed to the request's field names (unit -> unit_id)."""
    try:
        return fn()
    except Invalid as exc:
        for e in exc.errors:
            e.field = names.get(e.field, e.field)
        raise


def _unit(actor, uid, field="unit_id") -> Unit:
    u = policy.visible(actor, Unit).filter(pk=uid).first()
    if u is None:
        raise Invalid(field=field, code="unknown", message="No such unit.")
    return u


def incident_out(actor, inc: Incident) -> WithParts:
    """The incident with the parts its selectors read, for `IncidentOut`."""
    visible_items = policy.visible(actor, inc.items.model).filter(pk__in=inc.items.values("pk"))
    return WithParts(
        inc,
        participants=selectors.incident_participants(actor, incident=inc),
        tasks=selectors.incident_tasks(actor, incident=inc),
        timeline=selectors.incident_timeline(actor, incident=inc),
        outcome=selectors.incident_outcome(actor, incident=inc),
        # The incident it was merged into, only if the reader may see it (policy.shown).
        merged_into_id=getattr(getattr(inc, "merged_into_shown", None), "pk", None),
        items=[i.ref for i in visible_items],
    )


@router.get("/incidents", response=list[IncidentRowOut])
def board(request, f: Query[BoardFilter]):
    return selectors.incident_board(actor_of(request), f)


@router.post("/incidents", response={201: IncidentOut})
def open_incident(request, payload: IncidentIn):
    actor = actor_of(request)
    policy.require(actor, "incident.open")

    def create():
        itype = policy.visible(actor, IncidentType).filter(code=payload.type, is_active=True).first()
        if itype is None:
            raise Invalid(field="type", code="unknown", message=f"No such incident type: {payload.type}.")
        items = []
        for iid in payload.items:
            try:
                items.append(intel_selectors.item_get(actor, item_id=iid))
            except NotFound:
                raise Invalid(field="items", code="unknown", message=f"No such item: {iid}.") from None
        return services.incident_open(
            actor,
            incident_type=itype,
            title=payload.title,
            description=payload.description,
            severity=payload.severity,
            area=_code(Area, "area", payload.area, actor),
            place=_code(Place, "place", payload.place, actor),
            lat=payload.lat,
            lon=payload.lon,
            tlp=payload.tlp,
            is_drill=payload.is_drill,
            items=items,
        )

    status, inc = idempotent_create(
        request, "incidents.open", create, replay=lambda rid: selectors.incident_get(actor, incident_id=rid)
    )
    return Status(status, incident_out(actor, selectors.incident_get(actor, incident_id=inc.pk)))


@router.get("/incidents/{incident_id}", response=IncidentOut)
def get_incident(request, incident_id: uuid.UUID):
    actor = actor_of(request)
    return incident_out(actor, selectors.incident_get(actor, incident_id=incident_id, audit_read=True))


@router.post("/incidents/{incident_id}/transition", response=IncidentOut)
def transition(request, incident_id: uuid.UUID, payload: TransitionIn):
    actor = actor_of(request)
    inc = selectors.incident_get(actor, incident_id=incident_id)
    target = None
    if payload.merge_into:
        try:
            target = selectors.incident_get(actor, incident_id=payload.merge_into)
        except NotFound:
            raise Invalid(field="merge_into", code="unknown", message="No such incident.") from None
    services.incident_transition(
        actor, incident=inc, to=payload.status, reason=payload.reason, merge_into=target
    )
    return incident_out(actor, selectors.incident_get(actor, incident_id=incident_id))


@router.post("/incidents/{incident_id}/handover", response=IncidentOut)
def handover(request, incident_id: uuid.UUID, payload: HandoverIn):
    actor = actor_of(request)
    inc = selectors.incident_get(actor, incident_id=incident_id)
    unit = _unit(actor, payload.unit_id)
    _as_request_fields(
        lambda: services.incident_handover(actor, incident=inc, unit=unit, reason=payload.reason),
        unit="unit_id",
    )
    return incident_out(actor, selectors.incident_get(actor, incident_id=incident_id))


@router.post("/incidents/{incident_id}/tasks", response={201: TaskOut})
def add_task(request, incident_id: uuid.UUID, payload: TaskIn):
    actor = actor_of(request)
    inc = selectors.incident_get(actor, incident_id=incident_id)
    assignee = None
    if payload.assignee:
        assignee = policy.visible(actor, User, "assign").filter(username=payload.assignee).first()
        if assignee is None:
            raise Invalid(field="assignee", code="unknown", message="No such user.")

    def create():
        unit = _unit(actor, payload.unit_id)
        return _as_request_fields(
            lambda: services.task_add(
                actor, incident=inc, title=payload.title, unit=unit, due_at=payload.due_at, assignee=assignee
            ),
            unit="unit_id",
        )

    status, task = idempotent_create(
        request, "incidents.task", create, replay=lambda rid: selectors.task_get(actor, task_id=rid)
    )
    return Status(status, selectors.task_get(actor, task_id=task.pk))


@router.get("/tasks/mine", response=list[TaskOut])
def tasks_mine(request, f: Query[TaskFilter]):
    return selectors.my_tasks(actor_of(request), f)


@router.patch("/tasks/{task_id}", response=TaskOut)
def update_task(request, task_id: uuid.UUID, payload: TaskUpdateIn):
    actor = actor_of(request)
    t = services.task_update(
        actor, task=selectors.task_get(actor, task_id=task_id), state=payload.state, result=payload.result
    )
    return selectors.task_get(actor, task_id=t.pk)


@router.put("/incidents/{incident_id}/outcome", response=IncidentOut)
def record_outcome(request, incident_id: uuid.UUID, payload: OutcomeIn):
    actor = actor_of(request)
    inc = selectors.incident_get(actor, incident_id=incident_id)
    data = payload.model_dump()
    seizures = [(s["kind"], s["quantity"], s["note"]) for s in data.pop("seizures")]
    services.outcome_record(actor, incident=inc, seizures=seizures, **data)
    return incident_out(actor, selectors.incident_get(actor, incident_id=incident_id))


@router.get("/incidents/{incident_id}/people", response=list[PersonOut])
def people(request, incident_id: uuid.UUID):
    actor = actor_of(request)
    return selectors.incident_people(actor, incident=selectors.incident_get(actor, incident_id=incident_id))


@router.post("/incidents/{incident_id}/people", response={201: PersonOut})
def add_person(request, incident_id: uuid.UUID, payload: PersonIn):
    actor = actor_of(request)
    inc = selectors.incident_get(actor, incident_id=incident_id)
    identity = payload.identity.model_dump(exclude_none=True) if payload.identity else {}
    if "birth_year" in identity:
        identity["birth_year"] = str(identity["birth_year"])
    status, p = idempotent_create(
        request,
        "incidents.person",
        lambda: services.person_add(
            actor, incident=inc, role=payload.role, label=payload.label, identity=identity
        ),
        replay=lambda rid: next(x for x in inc.people.all() if str(x.pk) == rid),
    )
    row = next(x for x in selectors.incident_people(actor, incident=inc) if x["id"] == p.pk)
    return Status(status, row)


@router.post("/incidents/{incident_id}/named-units", response=IncidentOut)
def name_unit(request, incident_id: uuid.UUID, payload: UnitRefIn):
    actor = actor_of(request)
    inc = selectors.incident_get(actor, incident_id=incident_id)
    unit = _unit(actor, payload.unit_id)
    _as_request_fields(lambda: services.incident_name_unit(actor, incident=inc, unit=unit), unit="unit_id")
    return incident_out(actor, selectors.incident_get(actor, incident_id=incident_id))


@router.post("/incidents/{incident_id}/items", response=IncidentOut)
def link_item(request, incident_id: uuid.UUID, payload: ItemRefIn):
    actor = actor_of(request)
    inc = selectors.incident_get(actor, incident_id=incident_id)
    try:
        item = intel_selectors.item_get(actor, item_id=payload.item_id)
    except NotFound:
        raise Invalid(field="item_id", code="unknown", message="No such item.") from None
    services.incident_link_item(actor, incident=inc, item=item)
    return incident_out(actor, selectors.incident_get(actor, incident_id=incident_id))


@router.get("/plans", response=list[PlanOut])
def list_plans(request):
    return selectors.plans(actor_of(request))


@router.post("/plans", response={201: PlanOut})
def draft_plan(request, payload: PlanIn):
    actor = actor_of(request)
    policy.require(actor, "plan.draft")  # refused before the type is looked up (403, not 422)
    itype = policy.visible(actor, IncidentType).filter(code=payload.type).first()
    if itype is None:
        raise Invalid(field="type", code="unknown", message="No such incident type.")
    status, plan = idempotent_create(
        request,
        "plans.draft",
        lambda: services.plan_draft(
            actor,
            incident_type=itype,
            title=payload.title,
            title_en=payload.title_en,
            title_lo=payload.title_lo,
            steps=[s.model_dump() for s in payload.steps],
        ),
        replay=lambda rid: selectors.plan_get(actor, plan_id=rid),
    )
    return Status(status, selectors.plan_get(actor, plan_id=plan.pk))


@router.post("/plans/{plan_id}/approve", response=PlanOut)
def approve_plan(request, plan_id: uuid.UUID):
    actor = actor_of(request)
    plan = services.plan_approve(actor, plan=selectors.plan_get(actor, plan_id=plan_id))
    return selectors.plan_get(actor, plan_id=plan.pk)


@router.get("/lead-rules", response=list[LeadRuleOut])
def list_rules(request):
    return selectors.lead_rules(actor_of(request))


@router.put("/lead-rules", response=LeadRuleOut)
def set_rule(request, payload: LeadRuleIn):
    actor = actor_of(request)
    policy.require(actor, "leadrule.manage")
    itype = None
    if payload.type:
        itype = policy.visible(actor, IncidentType).filter(code=payload.type).first()
        if itype is None:
            raise Invalid(field="type", code="unknown", message="No such incident type.")
    return services.lead_rule_set(
        actor,
        incident_type=itype,
        area_kind=payload.area_kind,
        severity=payload.severity,
        lead_force=payload.lead_force,
        supporting_forces=payload.supporting_forces,
    )

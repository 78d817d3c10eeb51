"""Opening an incident (by hand or from an information item), moving it through its lifecycle,
handing over the lead, naming units, linking items."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock, events
from liaison.core.errors import Conflict, FieldError, Invalid, NotPermitted
from liaison.core.refs import next_ref
from liaison.core.search_schema import COLUMNS as SEARCH_COLUMNS
from liaison.core.text import search_fields
from liaison.core.transactions import durable
from liaison.incidents import events as timeline
from liaison.incidents.models import (
    FINAL_STATUSES,
    NEEDS_REASON,
    TRANSITIONS,
    Incident,
    IncidentType,
    Participant,
    PlanStep,
    ResponsePlan,
    Severity,
    SeverityRule,
    Status,
    Task,
    is_reopening,
)
from liaison.incidents.services.routing import area_kind_of, lead_rule, responsible_unit
from liaison.intel.models import TLP_RANK, Tlp
from liaison.org.actor import Actor
from liaison.org.models import Unit


def ack_minutes(severity: str) -> int:
    rule = SeverityRule.objects.filter(severity=severity).first()
    return rule.ack_minutes if rule else {"critical": 15, "high": 30, "medium": 120, "low": 480}[severity]


def _participate(incident, unit, role) -> Participant | None:
    if unit is None:
        return None
    p, _ = Participant.objects.get_or_create(
        incident=incident, unit=unit, role=role, defaults={"added_at": clock.now()}
    )
    return p


def _unit_for(responsible: str, incident: Incident, supporting: list[Unit]) -> list[Unit]:
    if responsible == "lead":
        return [incident.lead_unit]
    if responsible == "supporting":
        return supporting
    u = responsible_unit(responsible, incident.area, incident.place)
    return [u] if u else []


def incident_open(
    actor: Actor,
    *,
    incident_type: IncidentType,
    title: str,
    description: str = "",
    severity: str | None = None,
    area=None,
    place=None,
    lat: float | None = None,
    lon: float | None = None,
    tlp: str = Tlp.AMBER,
    is_drill: bool = False,
    items=(),
) -> Incident:
    """Open an incident: the lead force by rule, its responsible unit, the plan's tasks, notifications.
    Its handling level is at least that of every linked item."""
    policy.require(actor, "incident.open")
    severity = severity or getattr(incident_type, "default_severity", None)
    errs = []
    if not isinstance(incident_type, IncidentType) or not incident_type.is_active:
        errs.append(FieldError("type", "invalid_choice", "Choose an active incident type."))
    if not (title or "").strip():
        errs.append(FieldError("title", "required", "An incident needs a title."))
    elif len(title) > 200:
        errs.append(FieldError("title", "too_long", "At most 200 characters."))
    if len(description or "") > 20_000:
        errs.append(FieldError("description", "too_long", "At most 20,000 characters."))
    if severity not in Severity.values:
        errs.append(FieldError("severity", "invalid_choice", "low, medium, high or critical."))
    if tlp not in Tlp.values:
        errs.append(FieldError("tlp", "invalid_choice", "A TLP level."))
    if (lat is None) != (lon is None):
        errs.append(
            FieldError("lat" if lat is None else "lon", "incomplete", "Give both latitude and longitude.")
        )
    if lat is not None and not (-90 <= lat <= 90):
        errs.append(FieldError("lat", "out_of_range", "Latitude between -90 and 90."))
    if lon is not None and not (-180 <= lon <= 180):
        errs.append(FieldError("lon", "out_of_range", "Longitude between -180 and 180."))
    if area is None and place is None and lat is None:
        errs.append(FieldError("area", "required", "Say where: a commune, a place or a point."))
    if errs:
        raise Invalid(errs)
    items = list(items)
    for it in items:
        if TLP_RANK[it.tlp] > TLP_RANK[tlp]:
            tlp = it.tlp
    if place is not None:
        area = area or place.area
        if lat is None:
            lat, lon = place.lat, place.lon
    kind = area_kind_of(area, place)
    rule = lead_rule(incident_type, kind, severity)
    lead_force = rule.lead_force if rule else "police"
    lead = responsible_unit(lead_force, area, place)
    if lead is None:
        raise Invalid(field="area", code="no_lead_unit", message=f"No unit of {lead_force} can lead here.")
    plan = ResponsePlan.objects.filter(incident_type=incident_type, state=ResponsePlan.State.APPROVED).first()
    now = clock.now()
    with durable():
        inc = Incident.objects.create(
            ref=next_ref("VV"),
            incident_type=incident_type,
            title=title.strip(),
            description=description,
            severity=severity,
            tlp=tlp,
            is_drill=is_drill,
            lat=lat,
            lon=lon,
            area=area,
            place=place,
            area_kind=kind,
            lead_force=lead_force,
            lead_unit=lead,
            plan=plan,
            opened_by=actor.user,
            opened_by_unit=actor.unit,
            opened_at=now,
            ack_due_at=now + dt.timedelta(minutes=ack_minutes(severity)),
        )
        for k, v in search_fields_of(inc).items():
            setattr(inc, k, v)
        inc.save(update_fields=list(SEARCH_COLUMNS))
        inc.items.set(items)
        _participate(inc, lead, Participant.Role.LEAD)
        supporting = []
        for force in rule.supporting_forces if rule else []:
            u = responsible_unit(force, area, place)
            if u and u.pk != lead.pk:
                supporting.append(u)
                _participate(inc, u, Participant.Role.SUPPORTING)
        notify: dict = {lead.pk: lead, **{u.pk: u for u in supporting}}
        tasks = []
        steps = PlanStep.objects.filter(plan=plan).order_by("position") if plan else []
        for step in steps:
            for u in _unit_for(step.responsible, inc, supporting):
                tasks.append(
                    Task(
                        incident=inc,
                        step=step,
                        title=step.title,
                        unit=u,
                        due_at=now + dt.timedelta(minutes=step.deadline_minutes),
                    )
                )
            for target in step.notify:
                for u in _unit_for(target, inc, supporting):
                    notify[u.pk] = u
        Task.objects.bulk_create(tasks)
        for u in notify.values():
            if u.pk != lead.pk and u not in supporting:
                _participate(inc, u, Participant.Role.NOTIFIED)
        timeline.opened(inc, actor, lead_unit=lead, plan=plan, tasks=len(tasks))
        timeline.notified(inc, actor, units=list(notify.values()))
        events.emit(
            "incident.opened",
            inc,
            units=[*notify.values(), actor.unit],
            data={"severity": severity, "drill": is_drill},
        )
        for t in tasks:
            events.emit("task.assigned", t, units=[t.unit], data={"incident": inc.ref})
        audit.record(
            actor,
            Verb.INCIDENT_OPENED,
            inc,
            changes={
                "type": incident_type.code,
                "title": inc.title,
                "severity": severity,
                "tlp": tlp,
                "lead": str(lead.pk),
                "drill": is_drill,
                "items": [str(i.pk) for i in items],
            },
        )
    return inc


def incident_transition(
    actor: Actor, *, incident: Incident, to: str, reason: str = "", merge_into: Incident | None = None
) -> Incident:
    """Move the incident along its lifecycle; each move has who may make it and, where it matters,
    a reason. Invalid moves are refused (409) and change nothing."""
    if to not in Status.values:
        raise Invalid(field="status", code="invalid_choice", message="Unknown status.")
    if len(reason) > 2000:
        raise Invalid(field="reason", code="too_long", message="At most 2,000 characters.")
    with durable():
        inc = Incident.objects.select_for_update().get(pk=incident.pk)
        reopening = is_reopening(inc.status, to)
        if to not in TRANSITIONS[inc.status]:
            raise Conflict(
                "invalid_transition",
                _("An incident that is %(old)s cannot become %(new)s.")
                % {"old": Status(inc.status).label, "new": Status(to).label},
            )
        policy.require(actor, "incident.transition", (inc, to, reopening))
        if (to in NEEDS_REASON or reopening) and not reason.strip():
            raise Invalid(field="reason", code="required", message=_("Give a reason."))
        if to == Status.MERGED:
            if merge_into is None:
                raise Invalid(field="merge_into", code="required", message=_("Merge into which incident?"))
            if merge_into.pk == inc.pk or merge_into.status in FINAL_STATUSES:
                raise Invalid(
                    field="merge_into", code="invalid", message=_("Merge into another open incident.")
                )
            inc.merged_into = merge_into
        old = inc.status
        inc.status = to
        now = clock.now()
        if to == Status.ACKNOWLEDGED:
            inc.acknowledged_at = now
        if to in FINAL_STATUSES:
            inc.closed_at = now
            Task.objects.filter(incident=inc, state__in=[Task.State.OPEN, Task.State.IN_PROGRESS]).update(
                state=Task.State.CANCELLED
            )
        inc.version += 1
        inc.save()
        timeline.status_changed(inc, actor, old=old, new=to, reason=reason)
        events.emit(f"incident.{to}", inc, units=_audience(inc))
        audit.record(
            actor,
            Verb.INCIDENT_STATUS_CHANGED,
            inc,
            changes={"status": to, "reason": reason, "merge_into": getattr(merge_into, "pk", None)},
        )
    return inc


def _audience(inc: Incident) -> list:
    return list(Unit.objects.filter(incident_roles__incident=inc, incident_roles__active=True).distinct())


def incident_handover(actor: Actor, *, incident: Incident, unit: Unit, reason: str) -> Incident:
    """Hand over the lead to another unit of this node, with a reason."""
    if not (reason or "").strip():
        raise Invalid(field="reason", code="required", message="Handing over the lead needs a reason.")
    if unit.country != incident.lead_unit.country or not unit.is_active:
        raise Invalid(field="unit", code="partner_unit", message="Only an active unit of this node can lead.")
    if unit.pk == incident.lead_unit_id:
        raise Invalid(field="unit", code="same_unit", message="This unit already leads.")
    policy.require(actor, "incident.handover", incident)
    if incident.status in FINAL_STATUSES:
        raise Conflict("incident_final", "The incident is over.")
    with durable():
        old = incident.lead_unit
        Participant.objects.filter(incident=incident, role=Participant.Role.LEAD).update(active=False)
        # The units the old lead named lose their view of protected persons with the lead.
        Participant.objects.filter(incident=incident, role=Participant.Role.NAMED).update(active=False)
        p = _participate(incident, unit, Participant.Role.LEAD)
        Participant.objects.filter(pk=p.pk).update(active=True)
        incident.lead_unit, incident.lead_force = unit, unit.force
        incident.version += 1
        incident.save()
        timeline.lead_handed_over(incident, actor, old_unit=old, new_unit=unit, reason=reason)
        events.emit("incident.handover", incident, units=[old, unit])
        audit.record(
            actor, Verb.INCIDENT_HANDED_OVER, incident, changes={"lead": str(unit.pk), "reason": reason}
        )
    return incident


def incident_name_unit(actor: Actor, *, incident: Incident, unit: Unit) -> Participant:
    """The lead unit names a unit that may see victims' and informants' identities."""
    if unit.country != incident.lead_unit.country:
        raise Invalid(field="unit", code="partner_unit", message="Only a unit of this node.")
    policy.require(actor, "incident.name_unit", incident)
    with durable():
        p = _participate(incident, unit, Participant.Role.NAMED)
        Participant.objects.filter(pk=p.pk).update(active=True)
        timeline.unit_named(incident, actor, unit=unit)
        audit.record(actor, Verb.INCIDENT_UNIT_NAMED, incident, changes={"unit": str(unit.pk)})
    return p


def incident_link_item(actor: Actor, *, incident: Incident, item) -> Incident:
    """Link an information item; the incident's level rises to the item's if that is higher."""
    policy.require(actor, "incident.manage", incident)
    if not policy.visible(actor, type(item)).filter(pk=item.pk).exists():
        raise NotPermitted()
    with durable():
        incident.items.add(item)
        if TLP_RANK[item.tlp] > TLP_RANK[incident.tlp]:
            incident.tlp = item.tlp
        incident.version += 1
        incident.save()
        timeline.item_linked(incident, actor, item=item)
        audit.record(actor, Verb.INCIDENT_ITEM_LINKED, incident, changes={"item": str(item.pk)})
    return incident


def incidents_follow_item(*, item) -> None:
    """An incident's level is at least the highest level of its items (PRODUCT.md): when a linked
    item's handling level is raised, its incidents below that level rise to it.

    Registered on `intel.hooks.handling_raised` (apps.py): it runs inside `item_set_handling`'s
    transaction, whose audit event records the change; the incident's timeline names the item."""
    lower = [lv for lv, rank in TLP_RANK.items() if rank < TLP_RANK[item.tlp]]
    for inc in Incident.objects.select_for_update().filter(items=item, tlp__in=lower):
        old = inc.tlp
        inc.tlp = item.tlp
        inc.version += 1
        inc.save(update_fields=["tlp", "version", "updated_at"])
        timeline.handling_raised(inc, old=old, new=item.tlp, because=item.ref)


def search_fields_of(inc) -> dict[str, str]:
    """What search sees of an incident: its title; reference, description (the summary), type, place
    and area names. Also used by the migration that indexes existing incidents."""
    t = inc.incident_type
    parts = [inc.ref, inc.description, t.name_vi, t.name_en, getattr(t, "name_lo", "")]
    if inc.place_id:
        parts.append(inc.place.name)
    if inc.area_id:
        parts.append(inc.area.name)
    return search_fields(inc.title, *parts)

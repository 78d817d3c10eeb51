"""Incidents: need to know (declared once, `INCIDENT` below: access, the commander's subtree except
RED, the explanation and the feed's audience are generated from it), who may move an incident
through its lifecycle, and who may see protected persons' identities.

Involvement: the unit that opened it, the lead and supporting units, units notified or escalated to,
units named by the lead, units assigned a task.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.incidents.models import (
    PROTECTED_ROLES,
    TRANSITIONS,
    Incident,
    IncidentType,
    LeadRule,
    Outcome,
    Participant,
    Person,
    PlanStep,
    ResponsePlan,
    Seizure,
    SeverityRule,
    Status,
    Task,
    TimelineEvent,
    is_reopening,
)
from liaison.intel.models import Item, Tlp
from liaison.org.models import Role
from liaison.policy.core import mention, offers, permission, refuse, visibility, visible
from liaison.policy.facts import has_role, in_subtree, is_staff_member, is_system, subtree_q
from liaison.policy.involvement import OPERATIONAL_ROLES, Relation, declare, sees

ACTING_ROLES = OPERATIONAL_ROLES


INCIDENT = declare(
    Incident,
    Relation("opener", _("opened it"), None, "opened_by_unit"),
    Relation(
        "participant",
        _("lead, supporting, notified, escalated-to or named unit"),
        Participant,
        "unit",
        "incident",
        where={"active": True},
    ),
    Relation("tasked", _("assigned a task"), Task, "unit", "incident"),
    not_through_subtree=Q(tlp=Tlp.RED),
    not_through_subtree_label=_("RED is never visible through a subtree"),
    children=(
        (Task, "incident_id"),
        (Person, "incident_id"),
        (Participant, "incident_id"),
        (TimelineEvent, "incident_id"),
        (Outcome, "incident_id"),
        (Seizure, "outcome__incident_id"),
    ),
    # the relations incidents' migration 0007 built the `search_units` triggers from
    audience_indexed=("opener", "participant", "tasked"),
)


# The incident's timeline names a linked item by its reference: when it was linked, and when the
# incident followed the item's raised handling level.
mention("incident.timeline", "item_linked", Item, key=lambda d: d.get("item"), field="ref")
mention("incident.timeline", "handling", Item, key=lambda d: d.get("because"), field="ref")


def _reference(actor):
    """Reference data of the incident context (types, lead and severity rules, response plans):
    every member of this node but an auditor reads it; administrators manage it."""
    return Q() if is_system(actor) or is_staff_member(actor) else None


visibility(ResponsePlan)(_reference)
visibility(PlanStep)(_reference)
visibility(IncidentType)(_reference)
visibility(LeadRule)(_reference)
visibility(SeverityRule)(_reference)


def is_lead_member(actor, incident) -> bool:
    return is_staff_member(actor) and actor.unit.pk == incident.lead_unit_id and actor.role in ACTING_ROLES


def commands_lead(actor, incident) -> bool:
    """A commander of the lead unit or of a unit above it."""
    return has_role(actor, Role.COMMANDER) and in_subtree(actor, incident.lead_unit)


# Who may make each transition: "work" moves by the lead unit (or a commander above it); "command"
# moves only by a commander of the lead unit or above.
WORK_MOVES = {Status.ACKNOWLEDGED, Status.RESPONDING, Status.CONTAINED, Status.RESOLVED}
COMMAND_MOVES = {Status.CLOSED, Status.CANCELLED, Status.MERGED}


@permission("incident.open")
def can_open(actor, _obj):
    return (
        is_system(actor)
        or has_role(actor, *ACTING_ROLES)
        or refuse(_("Duty officers, analysts, commanders and liaison officers open incidents."))
    )


@permission("incident.transition")
def can_transition(actor, move):
    incident, to, reopening = move
    if is_system(actor):
        return True
    if not sees(actor, incident):
        return False
    if to in COMMAND_MOVES or reopening:
        return commands_lead(actor, incident) or refuse(
            _(
                "Only a commander of the lead unit, or of a unit above it, closes, cancels, merges "
                "or reopens an incident."
            )
        )
    if to in WORK_MOVES:
        return (
            is_lead_member(actor, incident)
            or commands_lead(actor, incident)
            or refuse(_("Only the lead unit, or a commander above it, moves this incident on."))
        )
    return False


@offers("incident.transition")
def transitions_offered(actor, incident):
    """The statuses this actor may move this incident to now, in the lifecycle's order."""
    order = list(Status.values)
    moves = sorted(TRANSITIONS[incident.status], key=order.index)
    return [to for to in moves if can_transition(actor, (incident, to, is_reopening(incident.status, to)))]


@permission("incident.handover")
def can_handover(actor, incident):
    return (
        is_system(actor)
        or (sees(actor, incident) and commands_lead(actor, incident))
        or refuse(_("Only a commander of the lead unit, or of a unit above it, hands over the lead."))
    )


@permission("incident.manage")
def can_manage(actor, incident):
    """Add tasks, record the outcome, name units, link items: the lead unit, or a commander above it."""
    return (
        is_system(actor)
        or (sees(actor, incident) and (is_lead_member(actor, incident) or commands_lead(actor, incident)))
        or refuse(_("Only the lead unit, or a commander above it, manages this incident."))
    )


@permission("incident.add_person")
def can_add_person(actor, incident):
    if is_system(actor):
        return True
    return sees(actor, incident) and (
        is_lead_member(actor, incident)
        or Participant.objects.filter(
            incident=incident, unit=actor.unit, role=Participant.Role.SUPPORTING, active=True
        ).exists()
    )


@permission("task.update")
def can_update_task(actor, task):
    if is_system(actor):
        return True
    if not is_staff_member(actor) or actor.role not in ACTING_ROLES:
        return False
    return (
        task.unit_id == actor.unit.pk
        or actor.unit.pk == task.incident.lead_unit_id
        or (actor.role == Role.COMMANDER and in_subtree(actor, task.unit))
    )


@permission("person.identity")
def can_see_identity(actor, person):
    """Victims' and informants' identities: only the current lead unit and the units it names.
    Other people's identities: whoever sees the incident."""
    if is_system(actor):
        return True
    incident = person.incident
    if not sees(actor, incident):
        return False
    if person.role not in PROTECTED_ROLES:
        return True
    if actor.unit.pk == incident.lead_unit_id:
        return True
    return Participant.objects.filter(
        incident=incident, unit=actor.unit, role=Participant.Role.NAMED, active=True
    ).exists()


@permission("incident.name_unit")
def can_name_unit(actor, incident):
    """Only the lead unit names the units that may see protected persons."""
    return (
        is_system(actor)
        or is_lead_member(actor, incident)
        or refuse(_("Only the lead unit names the units that may see protected persons."))
    )


@permission("plan.draft")
def can_draft_plan(actor, _obj):
    return is_system(actor) or has_role(actor, Role.ANALYST, Role.ADMINISTRATOR)


@permission("plan.approve")
def can_approve_plan(actor, plan):
    return is_system(actor) or (
        has_role(actor, Role.COMMANDER) and plan is not None and plan.drafted_by_id != actor.user.pk
    )


@permission("leadrule.manage")
def can_manage_rules(actor, _obj):
    return is_system(actor) or has_role(actor, Role.ADMINISTRATOR)


# --- what a commander watches: the work of the units below (the home page's counts) ------------


@visibility(Task, "watch")
def tasks_watched(actor):
    """A commander watches the tasks of the units in their subtree that they may see."""
    if not has_role(actor, Role.COMMANDER):
        return None
    return Q(pk__in=visible(actor, Task).values("pk")) & subtree_q(actor, "unit__")


@visibility(Incident, "watch")
def incidents_watched(actor):
    """A commander watches the incidents led by a unit of their subtree that they may see."""
    if not has_role(actor, Role.COMMANDER):
        return None
    return Q(pk__in=visible(actor, Incident).values("pk")) & subtree_q(actor, "lead_unit__")


@permission("work.operational")
def does_operational_work(actor, _obj):
    """The roles whose pages are records and work (inbox, incidents, tasks, items, map): not an
    administrator's or an auditor's."""
    return has_role(actor, *OPERATIONAL_ROLES)


@permission("work.watch")
def watches_units_below(actor, _obj):
    """A commander's home page shows the overdue work of the units below."""
    return has_role(actor, Role.COMMANDER)

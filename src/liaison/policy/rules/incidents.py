"""Incidents: need to know (as for items: involvement, a commander's subtree except RED), who may
move an incident through its lifecycle, and who may see protected persons' identities.

Involvement: the unit that opened it, the lead and supporting units, units notified or escalated to,
units named by the lead, units assigned a task.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

import liaison.policy.sql  # noqa: F401 (registers the in_set lookup)
from liaison.incidents.models import (
    PROTECTED_ROLES,
    Incident,
    Participant,
    Person,
    ResponsePlan,
    Status,
    Task,
)
from liaison.intel.models import Tlp
from liaison.org.models import Role
from liaison.policy.core import permission, visibility
from liaison.policy.facts import has_role, in_subtree, is_staff_member, is_system, subtree_unit_ids

ACTING_ROLES = (Role.DUTY_OFFICER, Role.ANALYST, Role.COMMANDER, Role.LIAISON_OFFICER)


def opener(units: list) -> Q:
    return Q(opened_by_unit__in=units)


def participant(units: list) -> Q:
    return Q(Exists(Participant.objects.filter(incident=OuterRef("pk"), unit__in=units, active=True)))


def tasked(units: list) -> Q:
    return Q(Exists(Task.objects.filter(incident=OuterRef("pk"), unit__in=units)))


def involved(units: list) -> Q:
    """Any of the units is involved in the incident, by any of the named rules."""
    return opener(units) | participant(units) | tasked(units)


def _involvement_ids(units: list):
    """The ids of the incidents any of `units` is involved in (the three rules above) as one UNION
    ALL subquery, so that the database starts from the few incidents the units touch instead of
    testing every incident against every rule."""
    branches = [
        Incident.objects.filter(opened_by_unit__in=units),
        Participant.objects.filter(active=True, unit__in=units),
        Task.objects.filter(unit__in=units),
    ]
    first, *rest = branches
    return first.order_by().values("pk").union(*(b.order_by().values("incident_id") for b in rest), all=True)


def incident_q(unit, role) -> Q | None:
    if unit is None or unit.country != settings.NODE_COUNTRY or not unit.is_active or role == Role.AUDITOR:
        return None
    if role != Role.COMMANDER:
        return Q(pk__in_set=_involvement_ids([unit.pk]))
    # A commander: the subtree (never RED) tested per row, beside the unit's own involvement. As
    # an OR of sets PostgreSQL probes both as hashed sets while it walks whatever index the rest
    # of the query chose (measured: 430 ms for a province's filtered list at 1M items, against
    # 720 ms as one array and 1.5 s with the own part as an array).
    return Q(pk__in=_involvement_ids([unit.pk])) | (involved(subtree_unit_ids(unit)) & ~Q(tlp=Tlp.RED))


@visibility(Incident)
def incidents_visible(actor):
    if is_system(actor):
        return Q()
    if not is_staff_member(actor):
        return None
    return incident_q(actor.unit, actor.role)


def _in_visible(model_field: str):
    def rule(actor):
        if is_system(actor):
            return Q()
        if not is_staff_member(actor):
            return None
        return Q(
            Exists(Incident.objects.filter(incident_q(actor.unit, actor.role), pk=OuterRef(model_field)))
        )

    return rule


visibility(Task)(_in_visible("incident_id"))
visibility(Person)(_in_visible("incident_id"))


@visibility(ResponsePlan)
def plans_visible(actor):
    return Q() if is_system(actor) or is_staff_member(actor) else None


def sees(actor, incident) -> bool:
    if is_system(actor):
        return True
    q = incident_q(actor.unit, actor.role) if is_staff_member(actor) else None
    return q is not None and Incident.objects.filter(q, pk=incident.pk).exists()


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
    return is_system(actor) or has_role(actor, *ACTING_ROLES)


@permission("incident.transition")
def can_transition(actor, move):
    incident, to, reopening = move
    if is_system(actor):
        return True
    if not sees(actor, incident):
        return False
    if to in COMMAND_MOVES or reopening:
        return commands_lead(actor, incident)
    if to in WORK_MOVES:
        return is_lead_member(actor, incident) or commands_lead(actor, incident)
    return False


@permission("incident.handover")
def can_handover(actor, incident):
    return is_system(actor) or (sees(actor, incident) and commands_lead(actor, incident))


@permission("incident.manage")
def can_manage(actor, incident):
    """Add tasks, record the outcome, name units, link items: the lead unit, or a commander above it."""
    return is_system(actor) or (
        sees(actor, incident) and (is_lead_member(actor, incident) or commands_lead(actor, incident))
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
    return is_system(actor) or is_lead_member(actor, incident)


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

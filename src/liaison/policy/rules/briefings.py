"""Briefings (issue 18): who counts what, who reads and writes a briefing, its meeting and
conclusions, and the register of agreements.

- Counting ("count" action on the counted record types): a reader counts exactly what they may see
  (the record type's own "view" rule); the coordination secretariat counts node-wide, and reads no
  record (it is not an operational role: nothing reaches it through its unit, and it has no drill-down).
- A briefing: its owner unit is involved, and commanders above it (declared once, below). A
  conclusion is also seen by the unit it is assigned to (its task list), and by commanders above.
- Agreements are reference data for members (the register is public inside the node).
- Writes: analysts and commanders of the owner unit draft and edit; a commander of the owner unit
  (or above) approves and issues; the assigned unit marks its conclusion done.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.briefings.models import Agreement, Briefing, BriefingState, Conclusion, Generation, Meeting
from liaison.incidents.models import Incident
from liaison.intel.models import Item
from liaison.org.models import Role
from liaison.patrols.models import Patrol
from liaison.policy.core import _VISIBILITY, permission, refuse, visibility
from liaison.policy.facts import has_role, in_subtree, is_staff_member, is_system, subtree_unit_ids
from liaison.policy.involvement import OPERATIONAL_ROLES, Relation, declare, sees
from liaison.programs.models import Program

BRIEFING = declare(
    Briefing,
    Relation("owner", _("unit preparing the briefing"), None, "owner_unit"),
    children=((Meeting, "briefing_id"), (Generation, "briefing_id")),
)

# The record types a briefing counts.
COUNTED = (Item, Incident, Patrol, Program)


def is_secretariat(actor) -> bool:
    return has_role(actor, Role.SECRETARIAT)


def _count_rule(model):
    def rule(actor):
        if is_system(actor) or is_secretariat(actor):
            return Q()  # node-wide counts, never rows to open (no drill-down: `briefing.drill`)
        view = _VISIBILITY.get((model, "view"))
        return view(actor) if view is not None else None

    return rule


for _model in COUNTED:
    visibility(_model, "count")(_count_rule(_model))


@visibility(Briefing, "read")
def briefings_read(actor):
    """The briefings a reader opens: as `view` (the owner unit, commanders above); the secretariat
    also opens its own unit's briefings (their figures are node-wide counts, without records)."""
    if is_system(actor):
        return Q()
    if is_secretariat(actor):
        return Q(owner_unit=actor.unit)
    return _VISIBILITY[(Briefing, "view")](actor)


@visibility(Conclusion)
def conclusions(actor):
    """A conclusion: whoever sees its briefing, the unit it is assigned to, and commanders above it."""
    if is_system(actor):
        return Q()
    if not is_staff_member(actor) or actor.role not in OPERATIONAL_ROLES:
        return None
    seen = _VISIBILITY[(Briefing, "view")](actor)
    q = (
        Q(meeting__briefing__in=Briefing.objects.filter(seen).values("pk"))
        if seen is not None
        else Q(pk__in=[])
    )
    if actor.role == Role.COMMANDER:
        return q | Q(unit__in=subtree_unit_ids(actor.unit))
    return q | Q(unit=actor.unit)


@visibility(Conclusion, "tasklist")
def conclusions_on_the_task_list(actor):
    """A unit's task list: its own conclusions; a commander's also the escalated ones below."""
    if not is_staff_member(actor) or actor.role not in OPERATIONAL_ROLES:
        return None
    if actor.role == Role.COMMANDER:
        return Q(unit=actor.unit) | Q(escalated_at__isnull=False, unit__in=subtree_unit_ids(actor.unit))
    return Q(unit=actor.unit)


@permission("conclusion.unit")
def conclusion_unit(actor, unit) -> bool:
    """Nothing is assigned to a unit of the partner across the border (a reference on this node)."""
    return unit is not None and unit.country == settings.NODE_COUNTRY


@visibility(Agreement)
def agreements(actor):
    return Q() if is_system(actor) or is_staff_member(actor) else None


@permission("briefing.drill")
def may_drill(actor, _obj=None) -> bool:
    """Figures link to their records for every reader but the secretariat (node-wide counts only)."""
    return is_staff_member(actor) and not is_secretariat(actor)


@permission("briefing.counts_all")
def counts_all(actor, _obj=None) -> bool:
    """Counts node-wide under "count" (the system, the secretariat): its counts are never partial."""
    return is_system(actor) or is_secretariat(actor)


@permission("briefing.create")
def may_create(actor, unit=None) -> bool:
    unit = unit or getattr(actor, "unit", None)
    return (
        has_role(actor, Role.ANALYST, Role.COMMANDER)
        and unit is not None
        and (unit.pk == actor.unit.pk or (actor.role == Role.COMMANDER and in_subtree(actor, unit)))
    ) or has_role(actor, Role.SECRETARIAT)


@permission("briefing.edit")
def may_edit(actor, briefing: Briefing) -> bool:
    if briefing is None or briefing.state == BriefingState.ISSUED:
        return refuse(_("An issued briefing is frozen."))
    return _writer(actor, briefing)


def _writer(actor, briefing) -> bool:
    if is_secretariat(actor) and actor.unit.pk == briefing.owner_unit_id:
        return True
    return has_role(actor, Role.ANALYST, Role.COMMANDER) and sees(actor, briefing)


@permission("briefing.approve")
def may_approve(actor, briefing: Briefing) -> bool:
    if briefing is None or briefing.state != BriefingState.DRAFT:
        return refuse(_("Only a draft is approved."))
    if not (has_role(actor, Role.COMMANDER) and in_subtree(actor, briefing.owner_unit)):
        return refuse(_("A commander of the unit preparing the briefing approves it."))
    return True


@permission("briefing.issue")
def may_issue(actor, briefing: Briefing) -> bool:
    if briefing is None or briefing.state != BriefingState.APPROVED:
        return refuse(_("Only an approved briefing is issued."))
    if not (has_role(actor, Role.COMMANDER) and in_subtree(actor, briefing.owner_unit)):
        return refuse(_("A commander of the unit preparing the briefing issues it."))
    return True


@permission("briefing.meeting")
def may_record_meeting(actor, briefing: Briefing) -> bool:
    return briefing is not None and _writer(actor, briefing)


@permission("conclusion.assign")
def may_assign(actor, briefing: Briefing) -> bool:
    """Conclusions are assigned by a commander of the briefing's unit (or above)."""
    return (
        briefing is not None
        and has_role(actor, Role.COMMANDER)
        and in_subtree(actor, briefing.owner_unit)
        and sees(actor, briefing)
    )


@permission("conclusion.update")
def may_update_conclusion(actor, conclusion: Conclusion) -> bool:
    if conclusion is None or not is_staff_member(actor) or actor.role not in OPERATIONAL_ROLES:
        return False
    return actor.unit.pk == conclusion.unit_id or (
        actor.role == Role.COMMANDER and in_subtree(actor, conclusion.unit)
    )


@permission("agreement.manage")
def may_manage_agreement(actor, _obj=None) -> bool:
    return has_role(actor, Role.COMMANDER, Role.ANALYST, Role.SECRETARIAT, Role.ADMINISTRATOR)

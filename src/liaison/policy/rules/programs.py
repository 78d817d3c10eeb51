"""Programs: need to know (issue 17), declared once for the program and once for its entries.

- A program: its owner unit, and the units reporting for its participating communes, are involved;
  a commander also sees it through the subtree (the house's rule). Its indicators, communes,
  targets and notices are visible with it, and so are its overall totals (a selector sums them for
  whoever sees the program).
- An entry: the program's owner unit and the commune's reporting unit are involved (and commanders
  above them). A participating commune therefore sees its own entries and no other commune's.
Nobody else sees anything of a program.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.org.models import Level, Role, Unit
from liaison.policy.core import permission, visibility
from liaison.policy.facts import has_role, in_subtree, is_staff_member, is_system, subtree_unit_ids
from liaison.policy.involvement import OPERATIONAL_ROLES, SUBTREE_ROLES, Relation, declare, grants, sees
from liaison.programs.models import (
    Entry,
    EntryStatus,
    EntryValue,
    Indicator,
    MissingNotice,
    Participation,
    Program,
    ProgramStatus,
    ProgramTemplate,
    Target,
    TemplateIndicator,
)

PROGRAM = declare(
    Program,
    Relation("owner", _("owner unit"), None, "owner_unit"),
    Relation("commune", _("reports for a participating commune"), Participation, "unit", "program"),
    children=(
        (Indicator, "program_id"),
        (Participation, "program_id"),
        (Target, "program_id"),
        (MissingNotice, "program_id"),
    ),
)

ENTRY = declare(
    Entry,
    Relation("owner", _("owner unit of the program"), None, "program__owner_unit"),
    Relation("commune", _("reports for the commune"), None, "participation__unit"),
    children=((EntryValue, "entry_id"),),
)


@visibility(Participation, "entries")
def communes_reported_to(actor):
    """The communes whose entries, missing months and progress a reader follows: the relations of
    the entry's declaration (the owner unit, the commune's reporting unit; commanders above them)."""
    if is_system(actor):
        return Q()
    if not is_staff_member(actor) or not grants(actor.unit, actor.role):
        return None
    units = subtree_unit_ids(actor.unit) if actor.role in SUBTREE_ROLES else [actor.unit.pk]
    return Q(program__owner_unit__in=units) | Q(unit__in=units)


@visibility(ProgramTemplate)
def templates_visible(actor):
    """The default programs are reference data: every member of this node but an auditor."""
    return Q() if is_system(actor) or is_staff_member(actor) else None


visibility(TemplateIndicator)(templates_visible)


@visibility(Unit, "report")
def units_reporting(actor):
    """The units a commune may report through: its commune-level units of this node."""
    from django.conf import settings

    if not (is_system(actor) or is_staff_member(actor)):
        return None
    return Q(country=settings.NODE_COUNTRY, is_active=True, level=Level.COMMUNE)


def _operational(actor) -> bool:
    return is_staff_member(actor) and actor.role in OPERATIONAL_ROLES


def owns(actor, program: Program) -> bool:
    """A member of the owner unit in an operational role, or a commander of it or above it."""
    return (_operational(actor) and actor.unit.pk == program.owner_unit_id) or (
        has_role(actor, Role.COMMANDER) and in_subtree(actor, program.owner_unit)
    )


def reports_for(actor, participation: Participation) -> bool:
    return _operational(actor) and actor.unit.pk == participation.unit_id


@permission("program.create")
def can_create(actor, _obj):
    """A unit's operational members start a program that their unit owns."""
    return is_system(actor) or _operational(actor)


@permission("program.edit")
def can_edit(actor, program):
    return program.status != ProgramStatus.CLOSED and (is_system(actor) or owns(actor, program))


@permission("program.activate")
def can_activate(actor, program):
    """A commander of the owner unit (or above it) activates a draft."""
    return program.status == ProgramStatus.DRAFT and (
        is_system(actor) or (has_role(actor, Role.COMMANDER) and in_subtree(actor, program.owner_unit))
    )


@permission("program.close")
def can_close(actor, program):
    return program.status == ProgramStatus.ACTIVE and (
        is_system(actor) or (has_role(actor, Role.COMMANDER) and in_subtree(actor, program.owner_unit))
    )


@permission("entry.submit")
def can_submit(actor, participation):
    """The commune's reporting unit submits its months, while the program is active."""
    return participation.program.status == ProgramStatus.ACTIVE and (
        is_system(actor) or reports_for(actor, participation)
    )


@permission("entry.decide")
def can_decide(actor, entry):
    """The owner unit approves or returns a submitted entry."""
    return (
        entry.is_current
        and entry.status == EntryStatus.SUBMITTED
        and (is_system(actor) or (sees(actor, entry) and owns(actor, entry.program)))
    )


@permission("program.decide")
def can_decide_for(actor, program):
    """Whether the actor decides for the owner unit (its corrections stand approved)."""
    return is_system(actor) or owns(actor, program)


@permission("entry.resubmit")
def can_resubmit(actor, entry):
    return (
        entry.is_current
        and entry.status == EntryStatus.RETURNED
        and (is_system(actor) or reports_for(actor, entry.participation))
    )


@permission("entry.correct")
def can_correct(actor, entry):
    """A correction after approval: by the commune, or by the owner unit; a new version."""
    return (
        entry.is_current
        and entry.status == EntryStatus.APPROVED
        and entry.program.status != ProgramStatus.CLOSED
        and (is_system(actor) or reports_for(actor, entry.participation) or owns(actor, entry.program))
    )


@permission("program.explain")
def can_explain(actor, program):
    return sees(actor, program)


@permission("template.manage")
def can_manage_templates(actor, _obj):
    return is_system(actor) or has_role(actor, Role.ADMINISTRATOR)

"""Patrols: need to know (declared once: `PATROL` and `PLAN` below), who plans, approves, moves and
checks in, and whose coverage a member reads.

Involvement in a patrol: its lead unit (the post), and every participating unit. A commander also
sees, through the subtree, the patrols whose lead or participating units lie below. The partner unit
across the border is a reference on the patrol, never a relation: nothing is shared with it on this
node. A monthly plan is the post's own: the post, and its commanders through the subtree.
Segments, markers, their condition history and the per-post coverage settings are reference data.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.org.models import Role, Unit
from liaison.patrols.models import (
    CheckIn,
    Finding,
    Marker,
    MarkerCondition,
    Patrol,
    PatrolPlan,
    PatrolUnit,
    PostCoverage,
    RouteStop,
    Segment,
)
from liaison.policy.core import permission, visibility
from liaison.policy.facts import has_role, in_subtree, is_staff_member, is_system, subtree_unit_ids
from liaison.policy.involvement import OPERATIONAL_ROLES, Relation, declare, sees

PATROL = declare(
    Patrol,
    Relation("lead", _("lead unit"), None, "lead_unit"),
    Relation("participant", _("participating unit"), PatrolUnit, "unit", "patrol"),
    children=(
        (PatrolUnit, "patrol_id"),
        (RouteStop, "patrol_id"),
        (CheckIn, "patrol_id"),
        (Finding, "patrol_id"),
    ),
    # the relations patrols' migration 0002 built the `search_units` triggers from
    audience_indexed=("lead", "participant"),
)

PLAN = declare(
    PatrolPlan,
    Relation("post", _("the post whose plan it is"), None, "post"),
)


def _reference(actor):
    return Q() if is_system(actor) or is_staff_member(actor) else None


visibility(Segment)(_reference)
visibility(Marker)(_reference)
visibility(MarkerCondition)(_reference)
visibility(PostCoverage)(_reference)


@visibility(Segment, "coverage")
def coverage_segments(actor):
    """Whose coverage a member reads: the segments of their own post, and for a commander those of
    every post below. Coverage is counted from the check-ins the member may see."""
    if is_system(actor):
        return Q()
    if not is_staff_member(actor) or actor.role not in OPERATIONAL_ROLES:
        return None
    if actor.role == Role.COMMANDER:
        return Q(post__in=subtree_unit_ids(actor.unit))
    return Q(post=actor.unit)


@visibility(Unit, "partner")
def partner_units(actor):
    """The units across the border a bilateral patrol may name (as a reference only)."""
    if not is_system(actor) and not is_staff_member(actor):
        return None
    return Q(is_active=True) & ~Q(country=settings.NODE_COUNTRY)


def acts_for(actor, unit) -> bool:
    """A member of `unit` in an operational role, or a commander of a unit above it."""
    if not is_staff_member(actor) or actor.role not in OPERATIONAL_ROLES or unit is None:
        return False
    return actor.unit.pk == unit.pk or (actor.role == Role.COMMANDER and in_subtree(actor, unit))


def is_partner(unit) -> bool:
    """A unit across the border (a patrol names it as a reference only)."""
    return unit is not None and unit.country != settings.NODE_COUNTRY


def is_node_unit(unit) -> bool:
    return unit is not None and unit.is_active and unit.country == settings.NODE_COUNTRY


@permission("patrolplan.draft")
def can_draft_plan(actor, post):
    return is_system(actor) or acts_for(actor, post)


@permission("patrolplan.approve")
def can_approve_plan(actor, plan):
    """The post's commander, or a commander above; never the one who drafted it."""
    if is_system(actor):
        return True
    return (
        plan is not None
        and has_role(actor, Role.COMMANDER)
        and in_subtree(actor, plan.post)
        and plan.drafted_by_id != actor.user.pk
    )


@permission("patrol.create")
def can_create(actor, lead_unit):
    return is_system(actor) or acts_for(actor, lead_unit)


@permission("patrol.transition")
def can_transition(actor, patrol):
    return is_system(actor) or (sees(actor, patrol) and acts_for(actor, patrol.lead_unit))


@permission("patrol.checkin")
def can_check_in(actor, patrol):
    """The lead unit (or a commander above it) and every participating unit."""
    if is_system(actor):
        return True
    if not sees(actor, patrol) or actor.role not in OPERATIONAL_ROLES:
        return False
    return (
        acts_for(actor, patrol.lead_unit)
        or PatrolUnit.objects.filter(patrol=patrol, unit=actor.unit).exists()
    )


@permission("patrol.finding")
def can_report_finding(actor, patrol):
    return can_check_in(actor, patrol)


@permission("patrol.minutes")
def can_print_minutes(actor, patrol):
    return is_system(actor) or sees(actor, patrol)


@permission("coverage.configure")
def can_configure_coverage(actor, post):
    return (
        is_system(actor)
        or has_role(actor, Role.ADMINISTRATOR)
        or (has_role(actor, Role.COMMANDER) and post is not None and in_subtree(actor, post))
    )


@permission("marker.import")
def can_import_markers(actor, _obj):
    return is_system(actor) or has_role(actor, Role.ADMINISTRATOR)


@permission("patrol.partner")
def can_name_partner(actor, unit):
    """A bilateral patrol names a unit across the border, as a reference."""
    return is_partner(unit) and unit.is_active


@permission("patrol.participant")
def can_name_participant(actor, unit):
    return is_node_unit(unit)

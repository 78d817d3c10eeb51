"""Organisation: units are reference data that every member of this node sees; users and
memberships are seen by the user themself and by administrators of the unit's subtree."""

from __future__ import annotations

from django.db.models import Q

from liaison.org.models import PRIVILEGED_ROLES, Membership, Role, Unit, User
from liaison.policy.core import permission, visibility
from liaison.policy.facts import has_role, in_subtree, is_staff_member, is_system, subtree_q


@visibility(Unit)
def units_visible(actor):
    if is_system(actor) or is_staff_member(actor):
        return Q()
    return None


@visibility(User)
def users_visible(actor):
    if is_system(actor):
        return Q()
    if not is_staff_member(actor):
        return None
    q = Q(pk=actor.user.pk)
    if has_role(actor, Role.ADMINISTRATOR):
        q |= Q(memberships__in=Membership.objects.filter(subtree_q(actor, "unit__")))
    return q


@visibility(Membership)
def memberships_visible(actor):
    if is_system(actor):
        return Q()
    if not is_staff_member(actor):
        return None
    q = Q(user=actor.user)
    if has_role(actor, Role.ADMINISTRATOR):
        q |= subtree_q(actor, "unit__")
    return q


@permission("unit.create")
def can_create_unit(actor, parent):
    # Administrators add units below their own unit; roots come from the CLI (the system actor).
    if is_system(actor):
        return True
    return has_role(actor, Role.ADMINISTRATOR) and parent is not None and in_subtree(actor, parent)


@permission("unit.update")
def can_update_unit(actor, unit):
    return is_system(actor) or (has_role(actor, Role.ADMINISTRATOR) and in_subtree(actor, unit))


@permission("user.create")
def can_create_user(actor, _obj):
    return is_system(actor) or has_role(actor, Role.ADMINISTRATOR)


@permission("membership.grant")
def can_grant(actor, membership):
    """Administrators grant roles within their subtree, never to themselves."""
    if is_system(actor):
        return True
    return (
        has_role(actor, Role.ADMINISTRATOR)
        and in_subtree(actor, membership.unit)
        and membership.user_id != actor.user.pk
    )


@permission("membership.approve")
def can_approve(actor, membership):
    """A privileged grant needs a second administrator: not the one who granted it, not the grantee."""
    if is_system(actor):
        return True
    return (
        has_role(actor, Role.ADMINISTRATOR)
        and membership.role in PRIVILEGED_ROLES
        and membership.status == Membership.Status.PENDING
        and in_subtree(actor, membership.unit)
        and membership.user_id != actor.user.pk
        and membership.granted_by_id != actor.user.pk
    )


@permission("membership.revoke")
def can_revoke(actor, membership):
    return can_grant(actor, membership)


@permission("unit.switch")
def can_switch(actor, membership):
    """A user may act for any of their own active memberships."""
    return actor.user is not None and membership.user_id == actor.user.pk

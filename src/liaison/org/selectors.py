"""Every read of the organisation, already filtered by policy."""

from __future__ import annotations

from liaison import policy
from liaison.org.actor import Actor
from liaison.org.models import Membership, Unit, User


def unit_list(
    actor: Actor, *, force: str | None = None, country: str | None = None, parent=None, limit: int = 500
):
    qs = policy.visible(actor, Unit).select_related("parent", "area")
    if force:
        qs = qs.filter(force=force)
    if country:
        qs = qs.filter(country=country)
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs.order_by("path")[:limit]


def unit_get(actor: Actor, *, unit_id) -> Unit:
    return policy.get_visible(actor, Unit, what="unit", pk=unit_id)


def unit_children(actor: Actor, *, unit: Unit):
    return policy.visible(actor, Unit).filter(parent=unit).order_by("name")


def unit_members(actor: Actor, *, unit: Unit):
    return (
        policy.visible(actor, Membership)
        .filter(unit=unit, status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("role", "user__username")
    )


def my_memberships(actor: Actor):
    return (
        Membership.objects.filter(user=actor.user, status=Membership.Status.ACTIVE, unit__is_active=True)
        .select_related("unit")
        .order_by("created_at")
    )


def user_get(actor: Actor, *, user_id) -> User:
    return policy.get_visible(actor, User, what="user", pk=user_id)


def membership_pending_list(actor: Actor, *, limit: int = 200):
    """The pending memberships this actor may confirm, oldest first (policy `membership.approve`)."""
    return (
        policy.visible(actor, Membership, action="approve")
        .select_related("user", "unit", "granted_by")
        .order_by("created_at")[:limit]
    )


def membership_pending_get(actor: Actor, *, membership_id) -> Membership:
    """One pending membership this actor may confirm, or `NotFound` as for a missing one."""
    return policy.get_visible(actor, Membership, action="approve", what="membership", pk=membership_id)


def users_awaiting_activation(actor: Actor, *, limit: int = 200):
    """Accounts confirmed but not yet activated whose code this actor may issue again (policy
    `user.activation`)."""
    return policy.visible(actor, User, action="activation").order_by("username")[:limit]


def user_awaiting_activation_get(actor: Actor, *, user_id) -> User:
    return policy.get_visible(actor, User, action="activation", what="user", pk=user_id)

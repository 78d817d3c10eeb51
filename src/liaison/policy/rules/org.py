"""Organisation: units are reference data that every member of this node sees; users and
memberships are seen by the user themself and by administrators of the unit's subtree."""

from __future__ import annotations

from django.db.models import Q

from liaison.org.models import PRIVILEGED_ROLES, Membership, Role, Unit, User
from liaison.policy.core import offers, permission, visibility
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
    """Administrators grant roles within their subtree, never to themselves; what they grant waits
    for a second person (`membership.approve`)."""
    if is_system(actor):
        return True
    return (
        has_role(actor, Role.ADMINISTRATOR)
        and in_subtree(actor, membership.unit)
        and membership.user_id != actor.user.pk
    )


def _confirmable(actor) -> Q | None:
    """The pending memberships this actor may confirm (PRODUCT.md, "Accounts": every new
    membership is active only once a second person confirms it).

    - a second administrator whose active unit is the membership's unit or above it, for any role;
    - a commander whose active unit is the membership's unit or above it ("a commander of that
      unit": the same subtree a commander watches), for any role but commander and administrator,
      which need a second administrator;
    - never the one who granted it, never the grantee (whichever membership they act for).
    The system confirms nothing: it grants at once where it may grant (CLI, demo loader), and a
    confirmation names the person who gave it."""
    if has_role(actor, Role.ADMINISTRATOR):
        q = Q()
    elif has_role(actor, Role.COMMANDER):
        q = ~Q(role__in=PRIVILEGED_ROLES)
    else:
        return None
    return (
        q
        & Q(status=Membership.Status.PENDING)
        & subtree_q(actor, "unit__")
        & ~Q(user=actor.user)
        & (Q(granted_by__isnull=True) | ~Q(granted_by=actor.user))
        # nor the administrator who made the account: the second person is a second person
        & (Q(user__created_by__isnull=True) | ~Q(user__created_by=actor.user))
    )


@visibility(Membership, action="approve")
def memberships_confirmable(actor):
    return _confirmable(actor)


@permission("membership.confirm_any")
def can_confirm_any(actor, _obj):
    """Whether the actor is one who confirms memberships at all (the page and its link)."""
    return _confirmable(actor) is not None


@permission("membership.approve")
def can_approve(actor, membership):
    """The same rule as the list of memberships waiting for this actor, asked of one row."""
    q = _confirmable(actor)
    if q is None or membership is None or membership.pk is None:
        return False
    return Membership.objects.filter(q, pk=membership.pk).exists()


def _activatable(actor) -> Q | None:
    """The accounts not yet activated (no password yet) whose activation code this actor may issue
    again: the people who confirm their memberships (a second administrator whose subtree holds an
    active membership of the account; a commander likewise, when the account holds no commander or
    administrator role), never the administrator who made the account, never the account itself."""
    if has_role(actor, Role.ADMINISTRATOR):
        q = Q()
    elif has_role(actor, Role.COMMANDER):
        privileged = Membership.objects.filter(role__in=PRIVILEGED_ROLES).exclude(
            status=Membership.Status.REVOKED
        )
        q = ~Q(pk__in=privileged.values("user"))
    else:
        return None
    here = Membership.objects.filter(subtree_q(actor, "unit__"), status=Membership.Status.ACTIVE)
    return (
        q
        & Q(password__startswith="!")  # Django's mark of an unusable password: not activated
        & Q(is_active=True)
        & Q(pk__in=here.values("user"))
        & ~Q(pk=actor.user.pk)
        & (Q(created_by__isnull=True) | ~Q(created_by=actor.user))
    )


@visibility(User, action="activation")
def users_activatable(actor):
    return _activatable(actor)


@permission("user.activation")
def can_issue_activation(actor, user):
    """The same rule as the list of accounts awaiting activation, asked of one account."""
    q = _activatable(actor)
    if q is None or user is None or user.pk is None:
        return False
    return User.objects.filter(q, pk=user.pk).exists()


@permission("user.enrol_factor")
def can_enrol_factor(actor, _user):
    """Only the system (CLI, demo loader) gives an account a second factor; a person enrols their
    own when they activate their account. An administrator who held a user's factor could sign in
    as them."""
    return is_system(actor)


@permission("membership.revoke")
def can_revoke(actor, membership):
    return can_grant(actor, membership)


@permission("unit.switch")
def can_switch(actor, membership):
    """A user may act for any of their own active memberships (a pending one grants nothing)."""
    return (
        actor.user is not None
        and membership is not None
        and membership.user_id == actor.user.pk
        and membership.status == Membership.Status.ACTIVE
    )


@offers("membership.approvers")
def approvers_of(actor, membership):
    """Who may confirm this pending membership: the active administrators and commanders for whom
    `membership.approve` says yes (asked of the same rule, one candidate at a time)."""
    from liaison.org.actor import Actor

    if membership is None or membership.status != Membership.Status.PENDING:
        return []
    candidates = (
        Membership.objects.filter(
            status=Membership.Status.ACTIVE, role__in=[Role.ADMINISTRATOR, Role.COMMANDER]
        )
        .select_related("user", "unit")
        .order_by("role", "user__username")
    )
    return [m for m in candidates if can_approve(Actor(user=m.user, membership=m, via="session"), membership)]

"""Field reporting (issue 19): who registers SMS gateways and officers' numbers. An officer's number
and a gateway are read by nobody through a page: only the SMS service looks them up."""

from __future__ import annotations

from liaison.org.models import Membership, Role
from liaison.policy.core import permission
from liaison.policy.facts import has_role, in_subtree, is_system


@permission("field.gateway.manage")
def can_manage_gateways(actor, _obj=None):
    return is_system(actor) or has_role(actor, Role.ADMINISTRATOR)


@permission("field.phone.register")
def can_register_phone(actor, user):
    """An administrator registers the number of a member of a unit in their subtree, never their own
    (one administrator alone must not route SMS reports into another person's name)."""
    if is_system(actor):
        return True
    if not has_role(actor, Role.ADMINISTRATOR) or user is None or user.pk == actor.user.pk:
        return False
    units = [m.unit for m in Membership.objects.select_related("unit").filter(user=user, status="active")]
    return any(in_subtree(actor, u) for u in units)

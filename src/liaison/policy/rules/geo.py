"""Geography is reference data: every member of this node sees it; administrators manage it."""

from __future__ import annotations

from django.db.models import Q

from liaison.geo.models import Area, Place
from liaison.org.models import Role
from liaison.policy.core import permission, visibility
from liaison.policy.facts import has_role, is_staff_member, is_system


@visibility(Area)
def areas_visible(actor):
    return Q() if is_system(actor) or is_staff_member(actor) else None


@visibility(Place)
def places_visible(actor):
    return Q() if is_system(actor) or is_staff_member(actor) else None


@permission("reference.manage")
def can_manage_reference(actor, _obj):
    """Administrators manage reference data; this grants no access to restricted records."""
    return is_system(actor) or has_role(actor, Role.ADMINISTRATOR)

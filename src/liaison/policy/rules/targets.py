"""What forms and services may offer as a target: the units a record can be shared with, assigned
to, sent for verification or led by, and the communes a record can be placed in. PRODUCT.md: until
the exchange with the partner's own node exists, nothing is shared with, assigned to or led by a
unit whose country is not this node's; an inactive unit receives nothing."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from liaison.geo.models import Area
from liaison.org.models import Membership, Unit, User
from liaison.policy.core import visibility
from liaison.policy.facts import is_staff_member, is_system


def _offered(actor) -> bool:
    return is_system(actor) or is_staff_member(actor)


@visibility(Unit, "receive")
def units_receiving(actor):
    return Q(country=settings.NODE_COUNTRY, is_active=True) if _offered(actor) else None


@visibility(Area, "locate")
def areas_locating(actor):
    return Q(country=settings.NODE_COUNTRY) if _offered(actor) else None


@visibility(User, "assign")
def users_assignable(actor):
    """A task may name a person of this node: a user with an active membership in an active unit of
    this node (the service checks that the person belongs to the task's unit)."""
    if not _offered(actor):
        return None
    members = Membership.objects.filter(
        status=Membership.Status.ACTIVE, unit__country=settings.NODE_COUNTRY, unit__is_active=True
    )
    return Q(pk__in=members.values("user_id"))

from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from liaison.org.actor import actor_for_request


def liaison(request):
    actor = actor_for_request(request) if hasattr(request, "user") else None
    memberships = []
    confirms = None  # None: the actor confirms no membership (no link); else how many wait
    if actor is not None and actor.user is not None:
        from liaison import policy
        from liaison.org.models import Membership
        from liaison.org.selectors import my_memberships

        memberships = list(my_memberships(actor))
        if policy.can(actor, "membership.confirm_any"):
            confirms = policy.visible(actor, Membership, "approve").count()
    nav = SimpleLazyObject(lambda: _nav(actor))  # counted only when a page draws the navigation
    return {
        "actor": actor,
        "nav": nav,
        "my_memberships": memberships,
        "memberships_to_confirm": confirms,
        "node_name": settings.NODE_TITLE,
        "LIAISON_LANGUAGES": settings.LANGUAGES,
    }


def _nav(actor) -> dict:
    """What the navigation offers this reader (asked of the policy) and the work counts beside it."""
    if actor is None or actor.user is None or actor.membership is None:
        return {}
    from liaison import policy
    from liaison.web.work import work

    return {
        "operational": policy.can(actor, "work.operational"),
        "audit": policy.can(actor, "audit.read"),
        "admin": policy.can(actor, "reference.manage"),
        "work": work(actor),
    }

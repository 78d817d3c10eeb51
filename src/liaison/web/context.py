from __future__ import annotations

from django.conf import settings

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
    return {
        "actor": actor,
        "my_memberships": memberships,
        "memberships_to_confirm": confirms,
        "node_name": settings.NODE_NAME,
        "LIAISON_LANGUAGES": settings.LANGUAGES,
    }

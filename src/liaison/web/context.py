from __future__ import annotations

from django.conf import settings

from liaison.org.actor import actor_for_request


def liaison(request):
    actor = actor_for_request(request) if hasattr(request, "user") else None
    memberships = []
    if actor is not None and actor.user is not None:
        from liaison.org.selectors import my_memberships

        memberships = list(my_memberships(actor))
    return {
        "actor": actor,
        "my_memberships": memberships,
        "node_name": settings.NODE_NAME,
        "LIAISON_LANGUAGES": settings.LANGUAGES,
    }

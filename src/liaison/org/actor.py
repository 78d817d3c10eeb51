"""Who is acting: a user, acting for one membership (unit + role) at a time.

Services take an `Actor` first. Pages and the API build it from the session or the API token; the
CLI and workers use `Actor.system()`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from liaison.org.models import Membership, Unit, User


@dataclass(frozen=True)
class Actor:
    user: User | None
    membership: Membership | None
    via: str = "session"  # session | token | cli | system

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None, membership=None, via="system")

    @property
    def is_system(self) -> bool:
        return self.via == "system"

    @property
    def unit(self) -> Unit | None:
        return self.membership.unit if self.membership else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def is_partner(self) -> bool:
        """A user acting for a unit of another country than this node's."""
        unit = self.unit
        return unit is not None and unit.country != settings.NODE_COUNTRY

    @property
    def label(self) -> str:
        if self.user is None:
            return "system"
        return self.user.username


def active_memberships(user: User):
    return (
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE, unit__is_active=True)
        .select_related("unit")
        .order_by("created_at")
    )


SESSION_KEY = "liaison_active_membership"


def actor_for_request(request) -> Actor | None:
    """The actor of a signed-in request: the session's chosen membership, else the first active one."""
    cached = getattr(request, "_liaison_actor", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    memberships = list(active_memberships(user))
    chosen = None
    wanted = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    for m in memberships:
        if str(m.id) == wanted:
            chosen = m
            break
    if chosen is None and memberships:
        chosen = memberships[0]
    actor = Actor(user=user, membership=chosen, via="session")
    request._liaison_actor = actor
    return actor

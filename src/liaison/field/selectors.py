"""Reads for field reporting, through the policy."""

from __future__ import annotations

from liaison import policy
from liaison.field.models import Tip
from liaison.geo.models import Place
from liaison.intel.models import Category, Credibility, Reliability, Tlp


def report_choices() -> dict:
    """What the report form offers: the active categories and the posts, stations and gates (as a
    form offers them before its reader is known: `policy.offered`), the gradings and levels."""
    categories = policy.offered(Category, "view").filter(state="active").order_by("code")
    places = (
        policy.offered(Place, "view").filter(kind__in=("post", "station", "gate")).order_by("kind", "name")
    )
    return {
        "categories": list(categories),
        "places": list(places.only("pk", "code", "name", "kind")),
        "reliabilities": Reliability.choices,
        "credibilities": Credibility.choices,
        "tlps": Tlp.choices,
    }


def tip_list(actor, *, limit: int = 100) -> list[dict]:
    """The tips of the actor's duty unit, newest first (rows, not records)."""

    return list(
        policy.visible(actor, Tip)
        .order_by("-created_at", "-id")
        .values("id", "code", "channel", "created_at", "refers_to", "commune__name", "item_id", "item__ref")[
            :limit
        ]
    )


def tip_get(actor, *, tip_id):
    """One tip the actor may see, or NotFound exactly as for a missing one."""

    return policy.get_visible(actor, Tip, what="tip", pk=tip_id)


def incident_choices(actor) -> dict:
    """What the offline "open an incident" form offers this member: the incident types, communes
    and places the incidents API would accept from them (`policy.visible`, as the API's look-ups),
    the severities and handling levels."""
    from liaison.geo.models import Area
    from liaison.incidents.models import IncidentType, Severity

    return {
        "types": list(policy.visible(actor, IncidentType).filter(is_active=True).order_by("code")),
        "areas": list(
            policy.visible(actor, Area).filter(kind="commune").order_by("name").only("pk", "code", "name")
        ),
        "places": list(
            policy.visible(actor, Place)
            .exclude(kind="town")
            .order_by("kind", "name")
            .only("pk", "code", "name", "kind")
        ),
        "severities": Severity.choices,
        "tlps": Tlp.choices,
    }


def checkin_choices(actor) -> dict:
    """What the offline check-in form offers this member: the patrols they may check in on
    (`patrol.checkin`) that are not over (planned or under way), each with the markers of its route
    and their positions (kept with the page, for offline use), and the marker conditions."""
    from liaison.patrols.models import Condition, Patrol, RouteStop, Status

    patrols = [
        p
        for p in policy.visible(actor, Patrol)
        .filter(status__in=(Status.PLANNED, Status.UNDER_WAY))
        .select_related("lead_unit")
        .order_by("starts_at", "id")[:50]
        if policy.can(actor, "patrol.checkin", p)
    ]
    stops = (
        RouteStop.objects.filter(patrol__in=patrols, marker__isnull=False)
        .select_related("marker__place")
        .order_by("patrol", "position")
    )
    markers: dict = {}
    for s in stops:
        markers.setdefault(s.patrol_id, []).append(s.marker)
    return {
        "patrols": [{"patrol": p, "markers": markers.get(p.pk, [])} for p in patrols],
        "conditions": Condition.choices,
    }


def member_by_username(actor, username: str):
    """A member the actor may see, by user name (the phone registration page names them so)."""
    from liaison.org.models import User

    return policy.visible(actor, User).filter(username=username.strip()).first()

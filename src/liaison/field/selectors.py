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

"""Every read of geography, already filtered by policy. Lists return rows, not instances."""

from __future__ import annotations

from liaison import policy
from liaison.core import search
from liaison.geo.models import Area, Place

AREA_COLUMNS = (
    "id",
    "code",
    "official_code",
    "kind",
    "name",
    "country",
    "parent__code",
    "is_border_area",
    "lat",
    "lon",
    "position_approximate",
    "source",
)
PLACE_COLUMNS = ("id", "code", "kind", "name", "lat", "lon", "approximate", "source", "area__code", "unit_id")


def area_list(
    actor,
    *,
    kind: str | None = None,
    country: str | None = None,
    border: bool | None = None,
    parent_code: str | None = None,
    limit: int = 1000,
):
    qs = policy.visible(actor, Area)
    if kind:
        qs = qs.filter(kind=kind)
    if country:
        qs = qs.filter(country=country)
    if border is not None:
        qs = qs.filter(is_border_area=border)
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    return qs.order_by("country", "code").values(*AREA_COLUMNS)[:limit]


def area_get(actor, *, area_id) -> Area:
    return policy.get_visible(actor, Area, what="area", pk=area_id)


def place_list(
    actor,
    *,
    kind: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    unit_id=None,
    q: str = "",
    limit: int = 2000,
):
    qs = policy.visible(actor, Place)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if kind:
        qs = qs.filter(kind=kind)
    if bbox:
        min_lon, min_lat, max_lon, max_lat = bbox
        qs = qs.filter(lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon)
    if q:  # by relevance (the name above the code and area), then as listed
        qs = search.matching(qs, search.parse(q), table="geo_place")
        return qs.order_by("search_rank", "kind", "code").values(*PLACE_COLUMNS)[:limit]
    return qs.order_by("kind", "code").values(*PLACE_COLUMNS)[:limit]


def place_get(actor, *, place_id, kind: str | None = None) -> Place:
    lookup = {"pk": place_id}
    if kind:
        lookup["kind"] = kind
    return policy.get_visible(actor, Place, what="place", **lookup)

"""/api/v1/areas, /posts, /markers, /gates: reference geography, filtered by policy."""

from __future__ import annotations

import uuid

from ninja import Query, Router, Schema
from pydantic import Field

from liaison.core.api import actor_of
from liaison.core.inputs import Line
from liaison.geo import selectors
from liaison.geo.models import AreaKind, PlaceKind
from liaison.geo.schemas import AreaOut, PlaceOut

router = Router(tags=["geography"])


class AreaFilter(Schema):
    kind: AreaKind | None = None
    country: Line | None = Field(None, min_length=2, max_length=2)
    border: bool | None = None
    parent: Line | None = Field(None, max_length=40)


class BBoxFilter(Schema):
    bbox: str | None = Field(
        None,
        max_length=100,
        pattern=r"^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$",
        description="min_lon,min_lat,max_lon,max_lat",
    )
    q: Line = Field(
        "", max_length=200, description='search name, code and area: words, "a phrase", -excluded, a OR b'
    )


def _area(row) -> AreaOut:
    return AreaOut(parent_code=row.pop("parent__code"), **row)


def _place(row) -> PlaceOut:
    return PlaceOut(area_code=row.pop("area__code"), **row)


def _bbox(f: BBoxFilter):
    if not f.bbox:
        return None
    a, b, c, d = (float(x) for x in f.bbox.split(","))
    from liaison.core.errors import Invalid

    if not (-180 <= a <= c <= 180 and -90 <= b <= d <= 90):
        raise Invalid(
            field="bbox", code="out_of_range", message="min_lon,min_lat,max_lon,max_lat within the globe."
        )
    return (a, b, c, d)


@router.get("/areas", response=list[AreaOut])
def list_areas(request, filters: Query[AreaFilter]):
    rows = selectors.area_list(
        actor_of(request),
        kind=filters.kind,
        country=filters.country,
        border=filters.border,
        parent_code=filters.parent,
    )
    return [_area(dict(r)) for r in rows]


@router.get("/areas/{area_id}", response=AreaOut)
def get_area(request, area_id: uuid.UUID):
    a = selectors.area_get(actor_of(request), area_id=area_id)
    return AreaOut.from_orm(a).model_copy(update={"parent_code": a.parent.code if a.parent else None})


def _place_routes(path: str, kind: str) -> None:
    @router.get(f"/{path}", response=list[PlaceOut], operation_id=f"list_{path}")
    def list_places(request, filters: Query[BBoxFilter]):
        return [
            _place(dict(r))
            for r in selectors.place_list(actor_of(request), kind=kind, bbox=_bbox(filters), q=filters.q)
        ]

    @router.get(f"/{path}/{{place_id}}", response=PlaceOut, operation_id=f"get_{path}")
    def get_place(request, place_id: uuid.UUID):
        p = selectors.place_get(actor_of(request), place_id=place_id, kind=kind)
        return PlaceOut.from_orm(p).model_copy(update={"area_code": p.area.code if p.area else None})


_place_routes("posts", PlaceKind.POST)
_place_routes("markers", PlaceKind.MARKER)
_place_routes("gates", PlaceKind.GATE)

"""/api/v1/layers/*: GeoJSON for every map layer (bounding box and time filters, compressed),
/api/v1/risk-zones, /api/v1/hotspots, /api/v1/trends."""

from __future__ import annotations

import re
import uuid

from django.views.decorators.gzip import gzip_page
from ninja import Path as PathParam
from ninja import Query, Router, Schema
from ninja import Query as QueryParam
from ninja.decorators import decorate_view
from pydantic import Field

from liaison import policy
from liaison.core.api import actor_of, idempotent_create
from liaison.core.errors import Invalid
from liaison.core.inputs import Input, Line, Since, Text, Until
from liaison.geo.models import PlaceKind
from liaison.situation import selectors, services
from liaison.situation.models import RiskZone

router = Router(tags=["situation"])
BBOX = r"^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$"


class LayerQuery(Schema):
    bbox: str | None = Field(
        None, max_length=100, pattern=BBOX, description="min_lon,min_lat,max_lon,max_lat"
    )
    window: str = Field("30d", pattern="^(24h|7d|30d|custom)$")
    since: Since | None = None
    until: Until | None = None


def _bbox(q: LayerQuery):
    if not q.bbox:
        return None
    a, b, c, d = (float(x) for x in q.bbox.split(","))
    if not (-180 <= a <= c <= 180 and -90 <= b <= d <= 90):
        raise Invalid(
            field="bbox", code="out_of_range", message="min_lon,min_lat,max_lon,max_lat within the globe."
        )
    return (a, b, c, d)


LAYERS = (
    "border",
    "border-area",
    "communes",
    "posts",
    "gates",
    "markers",
    "towns",
    "risk-zones",
    "incidents",
    "items",
    "hotspots",
)


@router.get("/layers/{name}", response=dict)
@decorate_view(gzip_page)
def layer(
    request,
    q: Query[LayerQuery],
    name: str = PathParam(..., pattern="^(" + "|".join(re.escape(n) for n in LAYERS) + ")$"),
):
    actor = actor_of(request)
    bbox = _bbox(q)
    if name == "border":
        return selectors.border_layer(actor, bbox)
    if name == "border-area":
        return selectors.border_area_layer(actor)
    if name == "communes":
        return selectors.communes_layer(actor, bbox)
    kinds = {
        "posts": PlaceKind.POST,
        "gates": PlaceKind.GATE,
        "markers": PlaceKind.MARKER,
        "towns": PlaceKind.TOWN,
    }
    if name in kinds:
        return selectors.places_layer(actor, kinds[name], bbox)
    if name == "risk-zones":
        return selectors.risk_zones_layer(actor, bbox)
    since, until = selectors.window(q.window, q.since, q.until)
    if name == "incidents":
        return selectors.incidents_layer(actor, since=since, until=until, bbox=bbox)
    if name == "items":
        return selectors.items_layer(actor, since=since, until=until, bbox=bbox)
    if name == "hotspots":
        return selectors.hotspots_layer(actor, since=since, until=until, bbox=bbox)
    raise Invalid(field="name", code="unknown_layer", message="One of: " + ", ".join(LAYERS))


class RiskZoneIn(Input):
    name: Line = Field(min_length=1, max_length=150)
    kind: str = Field(pattern="^(flash_flood|landslide)$")
    geometry: dict
    note: Text = Field("", max_length=300)


class RiskZoneOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    geometry: dict
    note: str


@router.post("/risk-zones", response={201: RiskZoneOut})
def create_zone(request, payload: RiskZoneIn):
    from ninja import Status

    actor = actor_of(request)
    status, z = idempotent_create(
        request,
        "riskzones.create",
        lambda: services.risk_zone_save(
            actor, name=payload.name, kind=payload.kind, geometry=payload.geometry, note=payload.note
        ),
        replay=lambda rid: policy.get_visible(actor, RiskZone, what="risk zone", pk=rid),
    )
    return Status(status, z)


@router.put("/risk-zones/{zone_id}", response=RiskZoneOut)
def edit_zone(request, zone_id: uuid.UUID, payload: RiskZoneIn):
    actor = actor_of(request)
    policy.require(actor, "reference.manage")
    z = policy.visible(actor, RiskZone).filter(pk=zone_id).first()
    if z is None:
        from liaison.core.errors import NotFound

        raise NotFound("risk zone")
    return services.risk_zone_save(
        actor, zone=z, name=payload.name, kind=payload.kind, geometry=payload.geometry, note=payload.note
    )


class PeriodQuery(Schema):
    window: str = Field("30d", pattern="^(24h|7d|30d|custom)$")
    since: Since | None = None
    until: Until | None = None


@router.get("/hotspots", response=dict)
def hotspots(request, q: Query[PeriodQuery]):
    since, until = selectors.window(q.window, q.since, q.until)
    return selectors.hotspot_counts(actor_of(request), since=since, until=until)


@router.get("/trends", response=dict)
def trends(request, months: int = QueryParam(12, ge=1, le=36)):
    return selectors.trends(actor_of(request), months=months)

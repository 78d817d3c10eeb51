"""Map layers in the battery: the incidents and items layers show exactly the records the reader
may see that have a position (any time: a custom window over all dates); reference layers are for
members of this node."""

from __future__ import annotations

from liaison.geo.models import Place

from . import records_incidents, records_intel
from .battery import ListRoute, Member, RecordType

ALL_TIME = "window=custom&since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00Z"


def feature_ids(response):
    return {f["properties"].get("id") for f in response.json()["features"]}


def staff(m: Member) -> bool:
    return m.unit_country == "VN" and m.role != "auditor"


RECORD_TYPES = [
    RecordType(
        name="incident on the map",
        records=records_incidents.incident_facts,
        record_id=lambda r: r.pk,
        visible_to=lambda m, r: r.positioned and records_incidents.sees_incident(m, r),
        list_routes=[
            ListRoute(
                "api GET /api/v1/layers/{name}#incidents", f"/api/v1/layers/incidents?{ALL_TIME}", feature_ids
            )
        ],
    ),
    RecordType(
        name="item on the map",
        records=records_intel.item_facts,
        record_id=lambda r: r.pk,
        visible_to=lambda m, r: r.positioned and not r.is_drill and records_intel.sees_item(m, r),
        list_routes=[
            ListRoute("api GET /api/v1/layers/{name}#items", f"/api/v1/layers/items?{ALL_TIME}", feature_ids)
        ],
    ),
    RecordType(
        name="post on the map",
        records=lambda: list(Place.objects.filter(kind="post")),
        visible_to=lambda m, r: staff(m),
        list_routes=[ListRoute("api GET /api/v1/layers/{name}#posts", "/api/v1/layers/posts", feature_ids)],
    ),
]

OTHER_ROUTES = {
    "page map/": "the map page (layers are checked above): tests/situation/test_browser.py",
    "page trends/": "counts over what the reader may see: tests/situation",
    "page events/stream": "the live feed, policy-filtered: tests/situation/test_feed.py",
    "api GET /api/v1/hotspots": "counts over what the reader may see: tests/situation",
    "api GET /api/v1/trends": "counts over what the reader may see: tests/situation",
    "api POST /api/v1/risk-zones": "write: tests/situation",
    "api PUT /api/v1/risk-zones/{zone_id}": "write: tests/situation",
}

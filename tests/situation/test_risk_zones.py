"""Risk zones: drawn and edited by administrators, seen on the map by members of this node."""

import json

from liaison.audit.models import AuditEvent

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[104.6, 20.2], [104.7, 20.2], [104.7, 20.3], [104.6, 20.3], [104.6, 20.2]]],
}


def _post(client, payload, method="post", path="/api/v1/risk-zones"):
    return getattr(client, method)(path, json.dumps(payload), content_type="application/json")


def test_an_administrator_draws_and_edits_a_zone_and_members_see_it(client_for):
    admin = client_for("police_administrator")
    r = _post(admin, {"name": "Lũ quét suối Na Mèo", "kind": "flash_flood", "geometry": SQUARE})
    assert r.status_code == 201, r.content
    zone = r.json()["id"]
    r = _post(
        admin,
        {"name": "Sạt lở Na Mèo", "kind": "landslide", "geometry": SQUARE},
        "put",
        f"/api/v1/risk-zones/{zone}",
    )
    assert r.status_code == 200 and r.json()["kind"] == "landslide"
    assert AuditEvent.objects.filter(verb=720, object_id=zone).count() == 2
    layer = client_for("na_meo_post_officer").get("/api/v1/layers/risk-zones").json()
    assert [f["properties"]["name"] for f in layer["features"] if f["properties"]["id"] == zone] == [
        "Sạt lở Na Mèo"
    ]
    assert client_for("hua_phan_partner").get("/api/v1/layers/risk-zones").json()["features"] == []


def test_only_administrators_draw_zones(client_for):
    r = _post(client_for("province_commander"), {"name": "X", "kind": "flash_flood", "geometry": SQUARE})
    assert r.status_code == 403


def test_a_broken_polygon_is_refused_on_the_geometry_field(client_for):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[104.6, 20.2], [104.7, 20.3], [104.7, 20.2], [104.6, 20.3], [104.6, 20.2]]],
    }
    for geometry in (bowtie, {"type": "Point", "coordinates": [104.6, 20.2]}, {"type": "Polygon"}):
        r = _post(
            client_for("police_administrator"), {"name": "X", "kind": "landslide", "geometry": geometry}
        )
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "geometry", r.json()

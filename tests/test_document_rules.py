"""The API document states the rules the server enforces on request bodies: every body schema
refuses fields it does not declare (`additionalProperties: false`), and the server does so too,
naming the field (issue 12: requests valid by the document were refused by unstated rules)."""

from __future__ import annotations

import json

from liaison.api import api


def _refs(node, out: set[str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                out.add(v.rsplit("/", 1)[-1])
            else:
                _refs(v, out)
    elif isinstance(node, list):
        for v in node:
            _refs(v, out)


def body_schemas() -> dict[str, dict]:
    doc = api.get_openapi_schema()
    components = doc["components"]["schemas"]
    names: set[str] = set()
    for operations in doc["paths"].values():
        for operation in operations.values():
            if "requestBody" in operation:
                _refs(operation["requestBody"], names)
    todo = list(names)
    while todo:
        found: set[str] = set()
        _refs(components[todo.pop()], found)
        todo += list(found - names)
        names |= found
    return {n: components[n] for n in names}


def test_every_request_body_schema_refuses_undeclared_fields():
    schemas = body_schemas()
    assert len(schemas) >= 20
    open_ones = sorted(
        n
        for n, s in schemas.items()
        if s.get("type") == "object" and s.get("additionalProperties") is not False
    )
    assert open_ones == []


def test_an_undeclared_field_is_refused_naming_it_and_nothing_is_written(client_for, unit):
    from liaison.org.models import Unit

    body = {
        "code": "CA-XA-THUA",
        "name": "Công an xã Thừa",
        "force": "police",
        "kind": "commune_police",
        "parent_id": str(unit("CA-TH").pk),
        "nmae": "typo",
    }
    r = client_for("police_administrator").post(
        "/api/v1/units", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 422, r.content
    assert [e["field"] for e in r.json()["errors"]] == ["nmae"]
    assert not Unit.objects.filter(code="CA-XA-THUA").exists()

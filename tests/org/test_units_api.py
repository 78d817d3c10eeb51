"""Creating units through the API: who may, idempotent retries, audit."""

from __future__ import annotations

import json

from django.utils import timezone

from liaison.audit.models import AuditEvent
from liaison.core.models import IdempotencyRecord
from liaison.org.models import Unit, User


def _payload(unit, code="CA-XA-MOI"):
    return {
        "code": code,
        "name": "Công an xã Mới",
        "force": "police",
        "kind": "commune_police",
        "parent_id": str(unit("CA-TH").pk),
    }


def _post(client, payload, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/units", json.dumps(payload), content_type="application/json", **headers)


def test_an_administrator_creates_a_unit_and_it_is_audited(client_for, unit):
    r = _post(client_for("police_administrator"), _payload(unit))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["level"] == "commune" and body["parent_id"] == str(unit("CA-TH").pk)
    ev = AuditEvent.objects.filter(verb=800, object_id=body["id"]).get()
    assert ev.actor_name == "quantri" and set(ev.changes) >= {"code", "name", "kind", "parent"}
    assert "Công an xã Mới" not in json.dumps(ev.changes)  # hashes, never values


def test_a_duty_officer_may_not_create_units(client_for, unit):
    r = _post(client_for("na_meo_post_officer"), _payload(unit))
    assert r.status_code == 403 and r.json()["code"] == "not_permitted"
    assert not Unit.objects.filter(code="CA-XA-MOI").exists()


def test_an_unknown_parent_names_the_field(client_for):
    p = {
        "code": "X-1",
        "name": "X",
        "force": "police",
        "kind": "district",
        "parent_id": "00000000-0000-0000-0000-000000000000",
    }
    r = _post(client_for("police_administrator"), p)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "parent_id"


def test_a_duplicate_code_names_the_field(client_for, unit):
    r = _post(client_for("police_administrator"), _payload(unit, code="CA-TH-TTCH"))
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["code"]


def test_a_retried_create_returns_the_first_unit(client_for, unit):
    c = client_for("police_administrator")
    first = _post(c, _payload(unit), key="k-123")
    second = _post(c, _payload(unit), key="k-123")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Unit.objects.filter(code="CA-XA-MOI").count() == 1
    assert AuditEvent.objects.filter(verb=800, object_id=first.json()["id"]).count() == 1


def test_the_same_key_with_another_payload_is_refused(client_for, unit):
    c = client_for("police_administrator")
    assert _post(c, _payload(unit), key="k-1").status_code == 201
    r = _post(c, _payload(unit, code="CA-XA-KHAC"), key="k-1")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Unit.objects.filter(code="CA-XA-KHAC").exists()


def test_a_key_left_in_flight_by_an_older_version_is_taken_over_at_once(client_for, unit):
    """Keys are now written in the create's own transaction: a committed IN_FLIGHT row can only
    come from a version that committed keys alone, and its owner is gone. No waiting period."""
    c = client_for("police_administrator")
    payload = _payload(unit)
    import hashlib

    IdempotencyRecord.objects.create(
        user=User.objects.get(username="quantri"),
        route="units.create",
        key="dead",
        request_hash=hashlib.sha256(b"/api/v1/units\0" + json.dumps(payload).encode()).hexdigest(),
        created_at=timezone.now(),
    )
    r = _post(c, payload, key="dead")
    assert r.status_code == 201
    assert IdempotencyRecord.objects.get(key="dead").state == "done"


def test_a_failed_create_frees_its_key(client_for, unit):
    c = client_for("police_administrator")
    bad = {**_payload(unit), "code": "CA-TH"}  # duplicate code: refused by the service
    assert _post(c, bad, key="k-9").status_code == 422
    assert not IdempotencyRecord.objects.filter(key="k-9").exists()


def test_keys_are_per_user(client_for, unit):
    a = _post(client_for("police_administrator"), _payload(unit), key="shared")
    b = _post(
        client_for("border_guard_administrator"),
        {
            **_payload(unit, code="BP-X"),
            "force": "border_guard",
            "kind": "border_post",
            "parent_id": str(unit("BP-TH").pk),
        },
        key="shared",
    )
    assert a.status_code == b.status_code == 201 and a.json()["id"] != b.json()["id"]

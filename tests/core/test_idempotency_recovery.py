"""A retried create while its twin is still running, and after its twin's process died.

The key lives in the create's own transaction, so the owner of an in-flight key is a database
transaction: while it runs, a twin waits (and answers 409 with Retry-After after
`IDEMPOTENCY_WAIT_SECONDS`); when it commits, the twin replays its result; when it dies (its
connection drops, as with kill -9), the key is free at once. The twin is played here by a second,
real connection to the test database (PostgreSQL: SQLite has one writer, so a twin cannot hold a key
while another request runs)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid

import psycopg
import pytest
from django.db import connection

from liaison.core import api as core_api
from liaison.core.models import IdempotencyRecord
from liaison.org.models import Unit, User

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a second writer holding a key needs PostgreSQL"
)

PAYLOAD = {"code": "CA-XA-TWIN", "name": "Công an xã Song", "force": "police", "kind": "commune_police"}


def _second_connection():
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None, dbname=s["NAME"]
    )


def _body(unit) -> str:
    return json.dumps({**PAYLOAD, "parent_id": str(unit("CA-TH").pk)})


def _hold_key(conn, unit, key: str, state: str = "in_flight", result_id: str = "") -> None:
    """The twin's uncommitted row for the key, as `idempotent_create` writes it (same payload)."""
    user_id = User.objects.get(username="quantri").pk
    digest = hashlib.sha256(b"/api/v1/units\0" + _body(unit).encode()).hexdigest()
    conn.execute(
        f"INSERT INTO {IdempotencyRecord._meta.db_table}"
        " (user_id, route, key, request_hash, state, status_code, result_id, created_at)"
        " VALUES (%s, 'units.create', %s, %s, %s, 201, %s, now())",
        (user_id, key, digest, state, result_id),
    )


def _post(client, unit, key):
    return client.post(
        "/api/v1/units", _body(unit), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_a_twin_in_flight_answers_409_with_retry_after_then_the_key_is_free_when_it_dies(
    client_for, unit, monkeypatch
):
    monkeypatch.setattr(core_api, "IDEMPOTENCY_WAIT_SECONDS", 1)
    c = client_for("police_administrator")
    twin = _second_connection()
    try:
        _hold_key(twin, unit, "busy")
        r = _post(c, unit, "busy")
        assert r.status_code == 409, r.content
        assert r.json()["code"] == "idempotency_in_flight"
        assert r["Retry-After"] == "1"
        assert not Unit.objects.filter(code="CA-XA-TWIN").exists()
    finally:
        twin.close()  # the twin's process dies: its transaction rolls back with the connection
    r = _post(c, unit, "busy")
    assert r.status_code == 201, r.content
    assert Unit.objects.filter(code="CA-XA-TWIN").count() == 1
    assert IdempotencyRecord.objects.get(key="busy").state == "done"


def test_a_twin_that_commits_while_the_retry_waits_is_replayed(client_for, unit):
    """The retry blocks on the key until the twin commits, then answers the twin's record. The
    twin's committed row stays (under a key of its own) until the test database is dropped: the
    test's connection holds a lock on it until its rollback, after every fixture's teardown."""
    key = f"slow-{uuid.uuid4()}"
    c = client_for("police_administrator")
    done_unit = unit("CA-TH-TTCH")
    twin = _second_connection()
    held = threading.Event()

    def twin_commits_later():
        _hold_key(twin, unit, key, state="done", result_id=str(done_unit.pk))
        held.set()
        time.sleep(0.5)
        twin.commit()

    t = threading.Thread(target=twin_commits_later)
    t.start()
    try:
        assert held.wait(10)
        r = _post(c, unit, key)
        t.join()
        assert r.status_code == 201, r.content
        assert r.json()["id"] == str(done_unit.pk)
        assert not Unit.objects.filter(code="CA-XA-TWIN").exists()
    finally:
        t.join()
        twin.close()

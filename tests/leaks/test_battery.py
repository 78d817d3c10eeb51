"""The need-to-know battery: every read route, as every member of the cast, against the rules.

Each member must see exactly what `declarations.py` says, in lists and in details, and a record
they may not see must be answered exactly as a record that does not exist.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from liaison.accounts.services import api_token_create
from tests.conftest import CAST, cast_actor, signed_in_client

from .battery import Member, api_routes, normalise_page, page_routes
from .declarations import OTHER_ROUTES, RECORD_TYPES


def member(name: str) -> Member:
    a = cast_actor(name)
    u = a.membership.unit
    return Member(name, a.user.username, u.code, u.path, u.country, u.force, a.membership.role, a.user.pk)


@pytest.fixture
def tokens(db):
    """Tokens owned by three different people, so that each sees only their own."""
    for name in ("na_meo_post_officer", "province_commander", "auditor"):
        api_token_create(cast_actor(name), name=f"battery-{name}")


def test_every_read_route_is_claimed_by_the_battery():
    declared = {r.key for t in RECORD_TYPES for r in (*t.list_routes, *t.detail_routes)} | set(OTHER_ROUTES)
    discovered = page_routes() | api_routes()
    discovered -= {"api GET /api/v1/openapi.json", "api GET /api/v1/docs"}
    unclaimed = discovered - declared
    stale = declared - discovered
    assert not unclaimed, f"routes no declaration claims (add them to tests/leaks/declarations.py): {sorted(unclaimed)}"
    assert not stale, f"declared routes that no longer exist: {sorted(stale)}"


def _missing_response(client: Client, detail_url) -> tuple[int, str]:
    rid = str(uuid.uuid4())
    r = client.get(detail_url(rid))
    return r.status_code, _body(r, rid)


def _body(r, rid: str) -> str:
    """The response as compared: the requested id itself (echoed in links) is blanked."""
    if r.get("Content-Type", "").startswith("application/"):
        return json.dumps(r.json(), sort_keys=True).replace(rid, "{id}")
    return normalise_page(r.content.decode()).replace(rid, "{id}")


@pytest.mark.parametrize("name", sorted(CAST))
def test_each_member_sees_exactly_what_the_rules_say(name, tokens):
    m = member(name)
    client = signed_in_client(name)
    for rtype in RECORD_TYPES:
        for route in rtype.list_routes:
            records = rtype.records()
            expected = {rtype.record_id(r) for r in records if rtype.visible_to(m, r)}
            r = client.get(route.url)
            if r.status_code == 200:
                shown = route.ids(r)
                if rtype.name == "audit event":
                    shown &= {rtype.record_id(x) for x in records}  # the newest 100 when asked
                assert shown == expected, f"{name} on {route.key}: extra {shown - expected}, missing {expected - shown}"
            else:
                assert r.status_code in (403, 404) and not expected, \
                    f"{name} on {route.key}: status {r.status_code}, expected {len(expected)} records"
        for route in rtype.detail_routes:
            missing = _missing_response(client, route.url)
            assert missing[0] == 404
            records = rtype.records()
            step = max(1, len(records) // rtype.sample)
            sample = records[::step]
            for record in sample:
                rid = rtype.record_id(record)
                r = client.get(route.url(rid))
                if rtype.visible_to(m, record):
                    assert r.status_code == 200, f"{name} should see {rtype.name} {rid} on {route.key}"
                else:
                    assert (r.status_code, _body(r, rid)) == missing, \
                        f"{name}: hidden {rtype.name} {rid} on {route.key} differs from a missing one"


@pytest.mark.parametrize("name", sorted(CAST))
def test_me_is_only_oneself(name):
    m = member(name)
    body = signed_in_client(name).get("/api/v1/me").json()
    assert body["username"] == m.username
    assert body["active"]["unit_code"] == m.unit_code
    assert all(x["unit_code"] for x in body["memberships"])


@pytest.mark.parametrize("name", sorted(CAST))
def test_home_shows_only_the_own_unit(name):
    m = member(name)
    html = signed_in_client(name).get("/").content.decode()
    from liaison.org.models import Unit

    own = Unit.objects.get(code=m.unit_code)
    if m.unit_country == "VN" and m.role != "auditor":
        assert own.name in html
    else:
        # The partner and the auditor see no unit page: not even their own unit's name.
        assert f"<h1>{own.name}</h1>" not in html


def test_anonymous_gets_nothing(db):
    c = Client()
    assert c.get("/api/v1/units").status_code == 401
    assert c.get("/units/").status_code == 302
    assert c.get("/audit/").status_code == 302


@pytest.mark.parametrize("name", sorted(CAST))
def test_admin_is_for_verified_administrators_only(name):
    m = member(name)
    r = signed_in_client(name).get("/admin/")
    if m.role == "administrator" and m.unit_country == "VN":
        assert r.status_code == 200
    else:
        assert r.status_code == 302 and "/admin/login/" in r["Location"]

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

from . import (
    declarations,
    records_briefings,  # issue 18
    records_exchange,  # issue 20
    records_field,  # issue 19
    records_incidents,
    records_intel,
    records_patrols,
    records_programs,  # issue 17
    records_situation,
)
from .battery import Member, api_routes, normalise_page, page_routes

RECORD_TYPES = [
    *declarations.RECORD_TYPES,
    *records_intel.RECORD_TYPES,
    *records_incidents.RECORD_TYPES,
    *records_situation.RECORD_TYPES,
    *records_patrols.RECORD_TYPES,
    *records_programs.RECORD_TYPES,
    *records_field.RECORD_TYPES,
    *records_briefings.RECORD_TYPES,
    *records_exchange.RECORD_TYPES,
]
OTHER_ROUTES = {
    **declarations.OTHER_ROUTES,
    **records_intel.OTHER_ROUTES,
    **records_incidents.OTHER_ROUTES,
    **records_situation.OTHER_ROUTES,
    **records_patrols.OTHER_ROUTES,
    **records_programs.OTHER_ROUTES,
    **records_field.OTHER_ROUTES,
    **records_briefings.OTHER_ROUTES,
    **records_exchange.OTHER_ROUTES,
}


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
    declared = {r.key.split("#")[0] for t in RECORD_TYPES for r in (*t.list_routes, *t.detail_routes)}
    declared |= set(OTHER_ROUTES)
    discovered = page_routes() | api_routes()
    discovered -= {"api GET /api/v1/openapi.json", "api GET /api/v1/docs"}
    unclaimed = discovered - declared
    stale = declared - discovered
    assert not unclaimed, (
        f"routes no declaration claims (add them to tests/leaks/declarations.py): {sorted(unclaimed)}"
    )
    assert not stale, f"declared routes that no longer exist: {sorted(stale)}"


def make_matrix() -> dict[str, object]:
    import datetime as dt
    import io

    from PIL import Image

    from liaison.core import clock
    from liaison.intel import services
    from liaison.intel.models import Category
    from liaison.org.models import Unit

    post = cast_actor("na_meo_post_officer")
    police = Unit.objects.get(code="CA-XA-NA-MEO")
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, format="PNG")
    items = {}
    for tlp in ("red", "amber_strict", "amber", "green", "clear"):
        now = clock.now()
        item = services.item_create(
            post,
            title=f"Ma trận {tlp} zzmatrix",
            body="Kiểm tra quyền xem.",
            category=Category.objects.get(code="smuggling"),
            observed_at=now - dt.timedelta(hours=1),
            reliability="B",
            credibility=2,
            tlp=tlp,
        )
        services.item_share(post, item=item, units=[police])
        services.attachment_add(post, item=item, filename=f"{tlp}.png", data=png.getvalue())
        items[tlp] = item
    return items


def _missing_response(client: Client, detail_url) -> tuple[int, str]:
    rid = str(uuid.uuid4())
    r = client.get(detail_url(rid))
    return r.status_code, _body(r, rid)


def _body(r, rid: str) -> str:
    """The response as compared: the requested id itself (echoed in links) is blanked."""
    if r.get("Content-Type", "").startswith("application/"):
        return json.dumps(r.json(), sort_keys=True).replace(rid, "{id}")
    return normalise_page(r.content.decode()).replace(rid, "{id}")


@pytest.fixture
def matrix(db):
    """One item per handling level, logged by the Na Mèo border post, shared with the Na Mèo commune
    police, each with an attachment: every relation of the cast to an item, at every level."""
    return make_matrix()


@pytest.mark.parametrize("name", sorted(CAST))
def test_each_member_sees_exactly_what_the_rules_say(name, tokens, matrix):
    m = member(name)
    client = signed_in_client(name)
    for rtype in RECORD_TYPES:
        for route in rtype.list_routes:
            records = rtype.records()
            chosen = (
                route.expected(m, records, rtype.visible_to)
                if route.expected
                else [r for r in records if rtype.visible_to(m, r)]
            )
            expected = {rtype.record_id(r) for r in chosen}
            r = client.get(route.url)
            if r.status_code == 200:
                shown = route.ids(r)
                if rtype.name == "audit event":
                    shown &= {rtype.record_id(x) for x in records}  # the newest 100 when asked
                assert shown == expected, (
                    f"{name} on {route.key}: extra {shown - expected}, missing {expected - shown}"
                )
            else:
                assert r.status_code in (403, 404) and not expected, (
                    f"{name} on {route.key}: status {r.status_code}, expected {len(expected)} records"
                )
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
                    assert r.status_code == route.visible_status, (
                        f"{name} should see {rtype.name} {rid} on {route.key}: {r.status_code}"
                    )
                else:
                    assert (r.status_code, _body(r, rid)) == missing, (
                        f"{name}: hidden {rtype.name} {rid} on {route.key} differs from a missing one"
                    )


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


# The matrix, stated as a table: relation of the member's unit to the item -> visible at each level.
ALL = {"red", "amber_strict", "amber", "green", "clear"}
NOT_RED = ALL - {"red"}
MATRIX = {
    "na_meo_post_officer": ("originator", ALL),
    "na_meo_post_commander": ("commander of the originating unit", ALL),
    "na_meo_commune_police": ("recipient", ALL),
    "border_guard_commander": ("commander above the originator", NOT_RED),
    "province_commander": ("commander above the recipient", NOT_RED),
    "liaison_officer": ("non-commander above the originator", set()),
    "bat_mot_post_officer": ("unrelated unit of the same force", set()),
    "police_analyst": ("unrelated unit", set()),
    "police_administrator": ("administrator of an ancestor of the recipient", set()),
    "auditor": ("auditor", set()),
    "hua_phan_partner": ("partner across the border", set()),
}


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_the_need_to_know_matrix(name, matrix):
    """Detail, list, search, attachments, for every relation and handling level."""
    relation, expected_levels = MATRIX[name]
    c = signed_in_client(name)
    detail = {tlp for tlp, item in matrix.items() if c.get(f"/api/v1/items/{item.pk}").status_code == 200}
    assert detail == expected_levels, f"{name} ({relation}): detail"
    found = c.get("/api/v1/items", {"q": "zzmatrix"})
    listed = {row["tlp"] for row in found.json()["items"]} if found.status_code == 200 else set()
    assert listed == expected_levels, f"{name} ({relation}): search"
    page = c.get("/items/", {"q": "zzmatrix"}).content.decode()
    assert {tlp for tlp, item in matrix.items() if str(item.pk) in page} == expected_levels, (
        f"{name}: page search"
    )
    from liaison.intel.models import Attachment

    files = {
        tlp
        for tlp, item in matrix.items()
        if c.get(f"/api/v1/attachments/{Attachment.objects.get(item=item).pk}").status_code == 200
    }
    assert files == expected_levels, f"{name} ({relation}): attachments"


@pytest.mark.parametrize("name", sorted(CAST))
def test_counts_follow_the_rules(name, matrix):
    """Statistics count exactly the items the rules let the reader see (page, API and export agree)."""
    import csv
    import io

    from django.utils import timezone

    from liaison.intel import stats

    m = member(name)
    p = stats.period("quarter", timezone.localdate())
    facts = [
        f
        for f in records_intel.item_facts()
        # the coordination secretariat counts the whole node (PRODUCT.md, Statistics)
        if (records_intel.sees_item(m, f) or (m.role == "secretariat" and m.unit_country == "VN"))
        and not f.is_drill
        and f.exchanged_at is not None
        and p.start <= f.exchanged_at < p.end
    ]
    by_level = {}
    for f in facts:
        by_level[f.level] = by_level.get(f.level, 0) + 1
    c = signed_in_client(name)
    body = c.get("/api/v1/stats/exchange", {"period": "quarter"}).json()
    assert body["current"]["total"] == len(facts)
    assert body["current"]["by_level"] == by_level
    rows = list(
        csv.reader(
            io.StringIO(
                c.get("/api/v1/stats/exchange.csv", {"period": "quarter"}).content.decode().lstrip("\ufeff")
            )
        )
    )
    assert next(r for r in rows if r[0] == "total")[3] == str(len(facts))
    page = c.get("/stats/", {"period": "quarter"}).content.decode()
    assert f'data-key="total">{len(facts)}<' in page

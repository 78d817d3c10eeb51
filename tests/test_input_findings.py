"""Issue 12's "Answering 500" findings, one test each: bad input is a 4xx naming the field (a 400
form error on the pages), never a 500, and nothing is written. Run on both databases.

The input rules themselves are `liaison.core.inputs`: datetimes without an offset are local time
and lie within plausible bounds, text holds no control characters, numbers are bounded.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from liaison.core import clock
from liaison.incidents.models import Incident, ResponsePlan, Task
from liaison.intel import services
from liaison.intel.models import Category, Item
from tests.intel.test_pages import create_form, field_error

VALID_ITEM = {
    "title": "Hàng lậu qua đường mòn",
    "body": "Phát hiện 5 kiện hàng.",
    "category": "smuggling",
    "observed_at": "2026-01-02T08:00:00+07:00",
    "reliability": "B",
    "credibility": 2,
    "tlp": "amber",
}


def post_json(client, path, body, method="POST"):
    return client.generic(method, path, json.dumps(body), content_type="application/json")


def assert_names(r, field, status=422):
    assert r.status_code == status, (r.status_code, r.content[:400])
    assert r["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in r.json()["errors"]}
    assert field in fields, r.json()


@pytest.fixture
def officer(client_for):
    return client_for("na_meo_post_officer")


@pytest.fixture
def an_item(cast):
    return services.item_create(
        cast("na_meo_post_officer"),
        title="Tin thử",
        body="Nội dung",
        reliability="C",
        credibility=3,
        category=Category.objects.get(code="smuggling"),
        observed_at=clock.now() - dt.timedelta(hours=2),
    )


# --- the blocker: year 1 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "observed", ["0001-01-01T00:00:00+07:00", "0001-01-01T00:00:00Z", "1989-12-31T23:59:00Z"]
)
def test_an_item_observed_in_year_1_is_refused_and_the_list_still_answers(officer, client_for, observed):
    before = Item.objects.count()
    r = post_json(officer, "/api/v1/items", {**VALID_ITEM, "observed_at": observed})
    assert_names(r, "observed_at")
    assert Item.objects.count() == before
    for c in (officer, client_for("border_guard_commander")):
        assert c.get("/api/v1/items").status_code == 200
        assert c.get("/api/v1/items", {"q": "hàng"}).status_code == 200


def test_amending_an_item_to_year_1_is_refused(officer, an_item):
    r = post_json(
        officer, f"/api/v1/items/{an_item.pk}", {"observed_at": "0001-01-01T00:00:00+07:00"}, method="PATCH"
    )
    assert_names(r, "observed_at")
    an_item.refresh_from_db()
    assert an_item.observed_at.year > 2000


def test_the_item_form_with_year_1_names_the_field_and_writes_nothing(officer):
    before = Item.objects.count()
    r = officer.post("/items/new/", create_form(observed_at="0001-01-01T00:00"))
    assert r.status_code == 400
    assert field_error(r.content.decode(), "observed_at")
    assert Item.objects.count() == before


# --- NUL and control characters -------------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "body", "category", "area"])
def test_a_nul_byte_in_an_item_field_is_refused_naming_it(officer, field):
    before = Item.objects.count()
    r = post_json(officer, "/api/v1/items", {**VALID_ITEM, field: "Na Mèo\x00"})
    assert_names(r, field)
    assert Item.objects.count() == before


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x7f", "\x85", "\n"])
def test_a_title_holds_no_control_character(officer, char):
    r = post_json(officer, "/api/v1/items", {**VALID_ITEM, "title": f"Tin{char}thử"})
    assert_names(r, "title")


def test_free_text_keeps_its_line_breaks_and_tabs(officer):
    r = post_json(officer, "/api/v1/items", {**VALID_ITEM, "body": "Dòng 1\r\nDòng 2\tcột"})
    assert r.status_code == 201, r.content[:300]
    assert Item.objects.get(pk=r.json()["id"]).body == "Dòng 1\r\nDòng 2\tcột"


@pytest.mark.parametrize(
    "param", ["q", "category", "area", "status", "tlp", "origin_unit", "origin_force", "reliability"]
)
def test_a_nul_byte_in_a_list_filter_is_refused_naming_it(officer, param):
    assert_names(officer.get("/api/v1/items", {param: "a\x00b"}), param)


@pytest.mark.parametrize(
    "path, param",
    [("/api/v1/areas", "parent"), ("/api/v1/areas", "country"), ("/api/v1/audit/events", "actor")],
)
def test_a_nul_byte_in_any_query_parameter_is_refused_naming_it(client_for, path, param):
    assert_names(client_for("auditor").get(path, {param: "V\x00"}), param)


def test_a_nul_byte_in_the_list_pages_search_is_a_400_form_error(officer):
    r = officer.get("/items/", {"q": "hàng\x00lậu"})
    assert r.status_code == 400
    assert "q" in r.context["form"].errors


def test_a_nul_byte_in_an_incident_is_refused(officer):
    before = Incident.objects.count()
    body = {"type": "smuggling", "title": "Vụ\x00", "area": "VN-38-15013\x00", "severity": "medium"}
    r = post_json(officer, "/api/v1/incidents", body)
    assert_names(r, "title")
    assert_names(r, "area")
    assert Incident.objects.count() == before


def test_a_nul_byte_in_a_plan_type_is_refused(client_for):
    before = ResponsePlan.objects.count()
    body = {
        "type": "fire\x00",
        "title": "Phương án",
        "steps": [{"title": "Dập lửa", "responsible": "lead", "deadline_minutes": 30, "notify": []}],
    }
    assert_names(post_json(client_for("police_analyst"), "/api/v1/plans", body), "type")
    assert ResponsePlan.objects.count() == before


def test_a_nul_byte_in_a_task_assignee_is_refused(officer, cast, unit):
    from liaison.geo.models import Area
    from liaison.incidents import services as incidents
    from liaison.incidents.models import IncidentType

    incident = incidents.incident_open(
        cast("na_meo_post_officer"),
        incident_type=IncidentType.objects.get(code="smuggling"),
        title="Vụ thử",
        area=Area.objects.get(code="VN-38-15013"),
    )
    before = Task.objects.count()
    body = {
        "title": "Tuần tra",
        "unit_id": str(unit("BP-DON-NA-MEO").pk),
        "due_at": "2099-01-01T00:00:00+07:00",
        "assignee": "trucban\x00",
    }
    assert_names(post_json(officer, f"/api/v1/incidents/{incident.pk}/tasks", body), "assignee")
    assert Task.objects.count() == before


def test_a_nul_byte_anywhere_in_a_json_body_is_refused_by_its_path(client_for):
    zone = {
        "name": "Vùng",
        "kind": "landslide",
        "note": "",
        "geometry": {"type": "Polygon\x00", "coordinates": []},
    }
    assert_names(post_json(client_for("police_administrator"), "/api/v1/risk-zones", zone), "geometry.type")


# --- datetimes: offsets and bounds ----------------------------------------------------------------


def test_a_datetime_without_an_offset_is_local_time(officer):
    r = post_json(officer, "/api/v1/items", {**VALID_ITEM, "observed_at": "2026-01-02T08:00:00"})
    assert r.status_code == 201, r.content[:300]
    observed = Item.objects.get(pk=r.json()["id"]).observed_at
    assert observed == dt.datetime(2026, 1, 2, 1, 0, tzinfo=dt.UTC)


def test_a_deadline_without_an_offset_is_local_time(officer, an_item, unit):
    body = {"unit_id": str(unit("CA-XA-NA-MEO").pk), "due_at": "2099-01-01T08:00:00", "question": "?"}
    r = post_json(officer, f"/api/v1/items/{an_item.pk}/verification-requests", body)
    assert r.status_code < 300, r.content[:300]


@pytest.mark.parametrize(
    "received",
    ["9999-12-31T23:59:59+07:00", "9999-12-31T23:59:59-12:00", "2100-01-01T00:00:00+07:00"],
)
def test_an_item_received_in_the_future_is_refused(officer, received):
    before = Item.objects.count()
    r = post_json(officer, "/api/v1/items", {**VALID_ITEM, "received_at": received})
    assert_names(r, "received_at")
    assert Item.objects.count() == before


def test_a_clock_a_few_minutes_ahead_is_allowed(officer):
    ahead = (clock.now() + dt.timedelta(minutes=3)).isoformat()
    r = post_json(officer, "/api/v1/items", {**VALID_ITEM, "observed_at": ahead, "received_at": ahead})
    assert r.status_code == 201, r.content[:300]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
def test_statistics_for_an_implausible_year_are_refused(officer, day):
    assert_names(officer.get("/api/v1/stats/exchange", {"period": "year", "on": day}), "on")
    assert_names(officer.get("/api/v1/stats/exchange.csv", {"period": "year", "on": day}), "on")


def test_the_statistics_page_for_year_9999_is_a_form_error(officer):
    r = officer.get("/stats/", {"period": "year", "on": "9999-12-31"})
    assert r.status_code == 400


@pytest.mark.parametrize(
    "params, field",
    [
        ({"since": "0001-01-01"}, "since"),
        ({"until": "9999-12-31"}, "until"),
        ({"since": "0001-01-01T00:00:00+07:00"}, "since"),
        ({"until": "9999-12-31T23:59:59-07:00"}, "until"),
        ({"until": "0.5"}, "until"),
    ],
)
def test_list_filters_at_the_extremes_are_refused(officer, params, field):
    assert_names(officer.get("/api/v1/items", params), field)


@pytest.mark.parametrize("path", ["/api/v1/layers/items", "/api/v1/hotspots"])
def test_map_windows_at_the_extremes_are_refused(client_for, path):
    c = client_for("province_commander")
    r = c.get(path, {"window": "custom", "since": "0001-01-01T00:00:00", "until": "9999-12-31T23:59:59"})
    assert_names(r, "since")


def test_a_naive_list_filter_is_local_time(officer):
    assert officer.get("/api/v1/items", {"since": "2026-11-01T08:00:00"}).status_code == 200


# --- bodies: multipart, content type, size ----------------------------------------------------------


def test_an_upload_without_a_boundary_is_a_400_naming_the_body(officer, an_item):
    r = officer.generic(
        "POST",
        f"/api/v1/items/{an_item.pk}/attachments",
        b"--x\r\nContent-Disposition: form-data; name=file\r\n\r\nabc\r\n--x--\r\n",
        content_type="multipart/form-data",
    )
    assert_names(r, "body", status=400)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_a_json_body_needs_application_json(officer, content_type):
    before = Item.objects.count()
    r = officer.generic("POST", "/api/v1/items", json.dumps(VALID_ITEM), content_type=content_type)
    assert r.status_code == 415, r.content[:300]
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "unsupported_media_type"
    assert Item.objects.count() == before


def test_a_json_body_with_a_charset_is_json(officer):
    r = officer.generic(
        "POST", "/api/v1/items", json.dumps(VALID_ITEM), content_type="application/json; charset=utf-8"
    )
    assert r.status_code == 201


def test_a_body_announced_above_the_limit_is_refused_before_it_is_read(officer, settings):
    class Unreadable:
        def read(self, *a):
            raise AssertionError("the body was read")

        readline = read

    r = officer.generic(
        "POST",
        "/api/v1/items",
        "",
        content_type="application/json",
        **{"CONTENT_LENGTH": str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "wsgi.input": Unreadable()},
    )
    assert_names(r, "body", status=413)


def test_an_upload_announced_above_the_attachment_limit_is_refused_before_it_is_read(
    officer, an_item, settings
):
    class Unreadable:
        def read(self, *a):
            raise AssertionError("the body was read")

        readline = read

    r = officer.generic(
        "POST",
        f"/api/v1/items/{an_item.pk}/attachments",
        "",
        content_type="multipart/form-data; boundary=x",
        **{"CONTENT_LENGTH": str(settings.ATTACHMENT_MAX_BYTES * 2), "wsgi.input": Unreadable()},
    )
    assert_names(r, "body", status=413)


def test_a_chunked_body_without_a_length_is_refused(officer):
    r = officer.generic(
        "POST",
        "/api/v1/items",
        "",
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert_names(r, "body", status=411)


# --- cursors ----------------------------------------------------------------------------------------


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        _cursor("2026-01-01T00:00:00+00:00|not-a-uuid"),
        _cursor("2026-01-01T00:00:00|00000000-0000-0000-0000-000000000000"),
        _cursor("0001-01-01T00:00:00+07:00|00000000-0000-0000-0000-000000000000"),
        _cursor("2026-01-01T00:00:00+00:00|00000000-0000-0000-0000-000000000000\x00"),
        _cursor("a|b|c"),
        "%%%",
    ],
)
def test_a_tampered_cursor_is_refused_naming_it(officer, cursor):
    assert_names(officer.get("/api/v1/items", {"cursor": cursor}), "cursor")


def test_a_tampered_cursor_on_the_list_page_is_a_400(officer):
    r = officer.get("/items/", {"cursor": _cursor("2026-01-01T00:00:00+00:00|x")})
    assert r.status_code == 400


def test_a_real_cursor_still_pages(officer, an_item, cast):
    services.item_create(
        cast("na_meo_post_officer"),
        title="Tin thử 2",
        body="Nội dung",
        reliability="C",
        credibility=3,
        category=Category.objects.get(code="smuggling"),
        observed_at=clock.now() - dt.timedelta(hours=1),
    )
    first = officer.get("/api/v1/items", {"limit": 1}).json()
    assert first["next_cursor"]
    r = officer.get("/api/v1/items", {"limit": 1, "cursor": first["next_cursor"]})
    assert r.status_code == 200 and r.json()["items"]


@pytest.mark.parametrize(
    "offset, accepted", [("-21:15", False), ("+15:30", False), ("+14:00", True), ("-12:00", True)]
)
def test_a_datetime_offset_no_clock_uses_is_a_field_error_not_a_500(client_for, offset, accepted):
    """Python reads offsets up to ±23:59, PostgreSQL only ±15:59: found by the fuzzer on a list
    filter (`exchanged_until=…-21:15` answered 500). Offsets are those clocks use, −12:00 to +14:00."""
    client = client_for("na_meo_post_officer")
    r = client.get("/api/v1/items", {"exchanged_until": f"2026-10-08T13:26:36{offset}"})
    if accepted:
        assert r.status_code == 200, r.content
    else:
        assert r.status_code == 422, r.content
        assert "exchanged_until" in {e["field"] for e in r.json()["errors"]}


@pytest.mark.parametrize(
    "path, detail",
    [("/api/v1/layers/items", "intel:detail"), ("/api/v1/layers/incidents", "incidents:detail")],
)
def test_each_map_feature_links_its_own_record(client_for, path, detail):
    """The layers build their addresses from one reversed template: each must still be the
    record's own page, and that page must open for the reader."""
    from django.urls import reverse

    c = client_for("province_commander")
    feats = c.get(
        path, {"window": "custom", "since": "2020-01-01T00:00:00", "until": "2030-01-01T00:00:00"}
    ).json()["features"]
    assert feats
    for f in feats[:5]:
        assert f["properties"]["url"] == reverse(detail, args=[f["properties"]["id"]])
    assert c.get(feats[0]["properties"]["url"]).status_code == 200


@pytest.mark.parametrize("lang", ["vi", "en", "lo"])
def test_map_features_name_their_category_and_type_in_the_readers_language(client_for, lang):
    """The popup shows the feature's category (items) or type (incidents): in the page's language,
    as stored in that language's column, never the Vietnamese name on an English or Lao map."""
    from django.conf import settings

    from liaison.incidents.models import IncidentType
    from liaison.intel.models import Category

    column = {"vi": "name_vi", "en": "name_en", "lo": "name_lo"}[lang]
    c = client_for("province_commander")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    window = {"window": "custom", "since": "2020-01-01T00:00:00", "until": "2030-01-01T00:00:00"}
    for path, key, model in (
        ("/api/v1/layers/items", "category", Category),
        ("/api/v1/layers/incidents", "type", IncidentType),
    ):
        names = {getattr(x, column) or x.name_en for x in model.objects.all()}
        feats = c.get(path, window).json()["features"]
        assert feats
        assert {f["properties"][key] for f in feats} <= names, (path, lang)

"""Coverage: the last check-in per marker, markers unchecked within the post's N days (default 30,
configurable), the map layer, damaged markers, coverage per month; the figures for the briefing equal
a plain SQL count; the marker CSV import; the bilateral minutes in Vietnamese and Lao."""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from pathlib import Path

import pytest
from django.db import connection

from liaison.core import clock
from liaison.core.errors import Invalid, NotPermitted
from liaison.geo.models import Place
from liaison.org.actor import Actor
from liaison.org.models import Unit
from liaison.patrols import exports, selectors, services, stats
from liaison.patrols.models import Marker, Patrol
from tests.conftest import cast_actor

from .conftest import make_patrol, na_meo_marker


def _row(actor, number):
    return next(r for r in selectors.marker_coverage(actor) if r["number"] == number)


def test_unchecked_follows_the_posts_days(patrol):
    officer = cast_actor("na_meo_post_officer")
    m = na_meo_marker()
    # A check-in 20 days ago: checked within the default 30 days, unchecked once the post sets 10.
    old = make_patrol(hours_ago=24 * 20)
    services.checkin_record(
        officer,
        patrol=old,
        marker=m,
        at=old.starts_at + dt.timedelta(hours=1),
        lat=m.place.lat,
        lon=m.place.lon,
        condition="intact",
    )
    row = _row(officer, m.number)
    assert row["days"] == 30 and not row["unchecked"] and row["days_since"] >= 19
    with pytest.raises(NotPermitted):
        services.coverage_configure(officer, post=officer.unit, days=10)
    services.coverage_configure(cast_actor("na_meo_post_commander"), post=officer.unit, days=10)
    row = _row(officer, m.number)
    assert row["days"] == 10 and row["unchecked"]
    assert m.number in {f["properties"]["code"] for f in selectors.unchecked_layer(officer)["features"]}
    per_post = {r["post"]: r for r in selectors.unchecked_by_post(officer)}
    assert per_post["BP-DON-NA-MEO"]["unchecked"] >= 1
    with pytest.raises(Invalid):
        services.coverage_configure(cast_actor("na_meo_post_commander"), post=officer.unit, days=0)


def test_coverage_is_the_readers_own_posts():
    post = {r["post"] for r in selectors.marker_coverage(cast_actor("na_meo_post_officer"))}
    assert post == {"BP-DON-NA-MEO"}
    commander = {r["post"] for r in selectors.marker_coverage(cast_actor("border_guard_commander"))}
    assert len(commander) == 8
    assert selectors.marker_coverage(cast_actor("hua_phan_partner")) == []
    assert selectors.marker_coverage(cast_actor("police_administrator")) == []


def test_the_demo_shows_gaps_and_a_damaged_marker():
    commander = cast_actor("border_guard_commander")
    unchecked = {r["post"] for r in selectors.unchecked_markers(commander)}
    assert {"BP-DON-TAM-CHUNG", "BP-DON-YEN-KHUONG"} <= unchecked
    damaged = selectors.damaged_markers(cast_actor("na_meo_commune_police"))
    assert [d["number"] for d in damaged] == ["307"]
    months = selectors.coverage_by_month(commander, months=3)
    assert len(months["months"]) == 3 and len(months["rows"]) == 8
    assert all(0 <= c["pct"] <= 100 for r in months["rows"] for c in r["months"])


def test_patrol_geojson_has_the_route_and_the_check_ins(patrol):
    officer = cast_actor("na_meo_post_officer")
    m = na_meo_marker()
    services.checkin_record(
        officer, patrol=patrol, marker=m, at=clock.now(), lat=m.place.lat, lon=m.place.lon, condition="intact"
    )
    fc = selectors.patrol_geojson(officer, patrol=patrol)
    kinds = [f["properties"]["kind"] for f in fc["features"]]
    assert kinds == ["segment", "marker", "checkin"]
    assert fc["features"][0]["geometry"]["type"] == "LineString"


# --- the figures for the briefing ------------------------------------------------------------------


def _sql(query, params):
    with connection.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def test_the_figures_equal_a_plain_sql_count():
    since = clock.now() - dt.timedelta(days=120)
    until = clock.now() + dt.timedelta(days=40)
    f = stats.patrol_figures(Actor.system(), since=since, until=until)
    rows = _sql(
        "SELECT p.id, p.kind, u.code, p.people, p.starts_at, p.ends_at FROM patrols_patrol p "
        "JOIN org_unit u ON u.id = p.lead_unit_id "
        "WHERE p.starts_at >= %s AND p.starts_at < %s AND p.status <> 'cancelled'",
        [since, until],
    )
    assert f["patrols"] == len(rows) > 0
    for kind in ("routine", "joint", "bilateral", "special"):
        assert f["by_kind"][kind] == sum(1 for r in rows if r[1] == kind)
    assert f["joint"] == sum(1 for r in rows if r[1] == "joint")
    assert f["bilateral"] == sum(1 for r in rows if r[1] == "bilateral")
    by_post: dict = {}
    for r in rows:
        by_post[r[2]] = by_post.get(r[2], 0) + 1
    assert f["by_post"] == by_post
    ((police,),) = _sql(
        "SELECT COUNT(DISTINCT p.id) FROM patrols_patrol p "
        "LEFT JOIN patrols_patrolunit pu ON pu.patrol_id = p.id LEFT JOIN org_unit u ON u.id = pu.unit_id "
        "JOIN org_unit l ON l.id = p.lead_unit_id "
        "WHERE p.starts_at >= %s AND p.starts_at < %s AND p.status <> 'cancelled' "
        "AND (u.force = 'police' OR l.force = 'police')",
        [since, until],
    )
    assert f["by_force"].get("police", 0) == police
    ((checked,),) = _sql(
        "SELECT COUNT(DISTINCT c.marker_id) FROM patrols_checkin c JOIN patrols_patrol p ON p.id = c.patrol_id "
        "WHERE p.starts_at >= %s AND p.starts_at < %s AND p.status <> 'cancelled' AND c.marker_id IS NOT NULL",
        [since, until],
    )
    assert f["markers_checked"] == checked
    ((findings,),) = _sql(
        "SELECT COUNT(*) FROM patrols_finding f JOIN patrols_patrol p ON p.id = f.patrol_id "
        "WHERE p.starts_at >= %s AND p.starts_at < %s AND p.status <> 'cancelled'",
        [since, until],
    )
    assert f["findings"] == findings >= 1

    # People-days: people × days started, from the same rows.
    def days(a, b):
        if isinstance(a, str):  # SQLite returns text
            a, b = dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b)
        return max(1, math.ceil((b - a).total_seconds() / 86400))

    assert f["people_days"] == sum(r[3] * days(r[4], r[5]) for r in rows)


def test_the_figures_count_only_what_the_reader_sees():
    since = clock.now() - dt.timedelta(days=120)
    until = clock.now() + dt.timedelta(days=40)
    post = stats.patrol_figures(cast_actor("na_meo_post_officer"), since=since, until=until)
    assert set(post["by_post"]) == {"BP-DON-NA-MEO"}
    assert stats.patrol_figures(cast_actor("hua_phan_partner"), since=since, until=until)["patrols"] == 0


# --- the marker import ---------------------------------------------------------------------------


def test_a_bad_row_refuses_the_whole_file_naming_its_line():
    admin = cast_actor("border_guard_administrator")
    text = "number,lat,lon,type\n901,20.30,104.60,main\n902,120.5,104.6,main\n"
    before = (Place.objects.count(), Marker.objects.count())
    with pytest.raises(Invalid) as e:
        services.markers_import(admin, text=text)
    assert e.value.errors[0].field == "file" and "Line 3" in e.value.errors[0].message
    assert (Place.objects.count(), Marker.objects.count()) == before
    with pytest.raises(Invalid) as e:
        services.markers_import(admin, text="number,lat,lon,type\n903,20.3,104.6,pillar\n")
    assert "Line 2" in e.value.errors[0].message
    with pytest.raises(NotPermitted):
        services.markers_import(cast_actor("na_meo_post_officer"), text="number,lat,lon,type\n")


def test_imported_positions_are_surveyed():
    admin = cast_actor("border_guard_administrator")
    m = na_meo_marker()
    assert m.place.approximate
    result = services.markers_import(
        admin,
        text=f"number,lat,lon,type\n{m.number},20.3101,104.6202,main\n904,20.31,104.62,auxiliary\n",
        source="Đo đạc GPS 2026",
    )
    assert result == {"created": 1, "updated": 1, "rows": 2}
    m.place.refresh_from_db()
    assert (m.place.lat, m.place.lon, m.place.approximate) == (20.3101, 104.6202, False)
    new = Marker.objects.select_related("place", "segment").get(number="904")
    assert not new.place.approximate and new.place.kind == "marker" and new.segment is not None


def test_the_import_page_shows_the_line(client_for):
    c = client_for("border_guard_administrator")
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("moc.csv", b"number,lat,lon,type\n905,abc,104.6,main\n", content_type="text/csv")
    r = c.post("/patrol-markers/import/", {"file": f, "source": ""})
    assert r.status_code == 400 and "Line 2" in r.content.decode()
    assert client_for("na_meo_post_officer").get("/patrol-markers/import/").status_code == 403


# --- the minutes ------------------------------------------------------------------------------------


def _bilateral():
    p = make_patrol(kind="bilateral", partner="LA-HP-BV")
    officer = cast_actor("na_meo_post_officer")
    m = na_meo_marker()
    services.checkin_record(
        officer,
        patrol=p,
        marker=m,
        at=clock.now(),
        lat=m.place.lat,
        lon=m.place.lon,
        condition="damaged",
        note="Mốc nghiêng",
    )
    return Patrol.objects.select_related("lead_unit", "partner_unit").get(pk=p.pk)


def test_the_minutes_are_a_word_document_in_vietnamese_and_lao():
    p = _bilateral()
    data = exports.minutes_docx(cast_actor("na_meo_post_officer"), patrol=p)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "BIÊN BẢN TUẦN TRA SONG PHƯƠNG" in xml
    assert "ບົດບັນທຶກການລາດຕະເວນສອງຝ່າຍ" in xml
    assert p.partner_unit.name in xml and p.ref in xml and "hư hỏng" in xml
    assert "ĐẠI DIỆN PHÍA LÀO" in xml


def test_the_minutes_pdf_carries_the_noto_fonts(client_for):
    if not (exports.font_dir() / "NotoSansLao-Regular.ttf").exists():
        pytest.skip("fonts-noto-core is not installed (make setup installs it)")
    p = _bilateral()
    r = client_for("na_meo_post_officer").get(f"/api/v1/patrols/{p.pk}/minutes.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert b"NotoSansLao" in r.content and b"NotoSans" in r.content
    out = Path(__file__).resolve().parents[2] / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "patrol-minutes.pdf").write_bytes(r.content)  # to look at (pdftoppm -png)
    assert client_for("bat_mot_post_officer").get(f"/api/v1/patrols/{p.pk}/minutes.pdf").status_code == 404


def test_the_partner_is_no_participant():
    assert not Unit.objects.get(code="LA-HP-BV").patrol_participations.exists()

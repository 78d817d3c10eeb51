"""Exchange statistics: an item counts in the period (Asia/Ho_Chi_Minh) of its first share to a unit
of another force, at its originating unit's level, over what the reader may see; drills never count;
the previous period beside. Exports neutralise cells that a spreadsheet would run as formulas.

The exact cases are built in 2019–2020 (the demo items lie in the last twelve months); the counts
over the demo items are checked against SQL written here, over the same rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone

from liaison.audit.models import AuditEvent
from liaison.core import clock
from liaison.intel import exports, services

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def local(s: str) -> dt.datetime:
    """'2020-02-10 09:00' in Vietnam."""
    return dt.datetime.fromisoformat(s).replace(tzinfo=HCM)


@pytest.fixture
def history(cast, unit, new_item):
    """Items whose exchange dates straddle Q4/2019, Q1/2020 and Q2/2020 (local time)."""
    post = cast("na_meo_post_officer")
    made = {}

    def log(name, created, who="na_meo_post_officer", **kw):
        with clock.frozen(local(created)):
            made[name] = new_item(who, **kw)
        return made[name]

    def share(name, when, *codes, who=post):
        with clock.frozen(local(when)):
            services.item_share(who, item=made[name], units=[unit(c) for c in codes])

    log("A", "2020-02-10 09:00")
    share("A", "2020-02-10 10:00", "CA-XA-NA-MEO")  # Q1: border guard -> police
    log("B", "2020-02-11 09:00")
    share("B", "2020-02-11 10:00", "BP-DON-BAT-MOT")  # same force: never exchanged
    log("C", "2020-02-12 09:00", is_drill=True)
    share("C", "2020-02-12 10:00", "CA-XA-NA-MEO")  # a drill: never counts
    log("D", "2019-11-20 09:00")
    share("D", "2019-11-20 10:00", "CA-XA-NA-MEO")  # Q4/2019
    log("E", "2019-12-20 09:00", category="drug_trafficking")
    share("E", "2019-12-21 09:00", "BP-DON-BAT-MOT")  # same force in Q4 ...
    share("E", "2020-01-15 09:00", "CA-XA-NA-MEO")  # ... first exchanged in Q1
    log("F", "2020-03-31 20:00")
    share("F", "2020-04-01 00:30", "CA-XA-NA-MEO")  # 31 March 17:30 UTC: Q2 in Vietnam
    log("G", "2019-12-31 20:00")
    share("G", "2020-01-01 00:30", "CA-XA-NA-MEO")  # 31 December 17:30 UTC: Q1 in Vietnam
    log("H", "2019-12-31 20:00")
    share("H", "2019-12-31 23:30", "CA-XA-NA-MEO")  # Q4/2019
    log("R", "2020-02-13 09:00", tlp="red")
    share("R", "2020-02-13 10:00", "CA-XA-NA-MEO")  # RED: not through a subtree
    log("P", "2020-02-14 09:00", who="police_analyst")
    share("P", "2020-02-14 10:00", "HQ-NA-MEO", who=cast("police_analyst"))  # province level, police
    log("K", "2020-02-15 09:00", who="na_meo_customs_officer")
    share("K", "2020-02-15 10:00", "BP-DON-BAT-MOT", who=cast("na_meo_customs_officer"))  # district, customs
    return made


def get_stats(client, **q):
    r = client.get("/api/v1/stats/exchange", q)
    assert r.status_code == 200, r.content
    return r.json()


# reader -> (Q1/2020 total, by level, by originating force, Q4/2019 total)
EXPECTED = {
    # A E G K: R is RED, P is police only, C a drill, B never exchanged, F in Q2
    "border_guard_commander": (4, {"commune": 3, "district": 1}, {"border_guard": 3, "customs": 1}, 2),
    # its own A E G R
    "na_meo_post_officer": (4, {"commune": 4}, {"border_guard": 4}, 2),
    # A E G through the Na Mèo commune police, P from its drug department; not R (RED)
    "province_commander": (4, {"commune": 3, "province": 1}, {"border_guard": 3, "police": 1}, 2),
    # received A E G R, verified nothing
    "na_meo_commune_police": (4, {"commune": 4}, {"border_guard": 4}, 2),
    # received E (same force, in Q4) and K
    "bat_mot_post_officer": (2, {"commune": 1, "district": 1}, {"border_guard": 1, "customs": 1}, 0),
    "police_analyst": (1, {"province": 1}, {"police": 1}, 0),
    "police_administrator": (0, {}, {}, 0),
    "auditor": (0, {}, {}, 0),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_quarter_counts_what_the_reader_may_see_exchanged_in_it(client_for, history, name):
    total, by_level, by_force, previous = EXPECTED[name]
    s = get_stats(client_for(name), period="quarter", on="2020-02-15")
    assert (s["period"]["label"], s["previous_period"]["label"]) == ("Q1/2020", "Q4/2019")
    assert s["current"]["total"] == total
    assert s["current"]["by_level"] == by_level
    assert s["current"]["by_origin_force"] == by_force
    assert s["previous"]["total"] == previous


def test_the_quarter_is_taken_in_vietnam_time(client_for, history):
    s = get_stats(client_for("border_guard_commander"), period="quarter", on="2020-02-15")
    assert dt.datetime.fromisoformat(s["period"]["start"]) == dt.datetime(2019, 12, 31, 17, tzinfo=dt.UTC)
    assert dt.datetime.fromisoformat(s["period"]["end"]) == dt.datetime(2020, 3, 31, 17, tzinfo=dt.UTC)
    q2 = get_stats(client_for("border_guard_commander"), period="quarter", on="2020-05-01")
    assert q2["current"]["total"] == 1  # F
    assert q2["previous"]["total"] == 4  # Q1 beside it


def test_who_sent_to_whom_and_by_category(client_for, history):
    s = get_stats(client_for("border_guard_commander"), period="quarter", on="2020-02-15")["current"]
    assert s["by_pair"] == {"border_guard>police": 3, "customs>border_guard": 1}
    assert s["by_category"] == {"smuggling": 3, "drug_trafficking": 1}
    assert s["by_status"] == {"new": 4}


@pytest.mark.parametrize(
    "query, current, previous",
    [
        ({"period": "month", "on": "2020-01-20"}, 2, 1),  # E G | H
        ({"period": "month", "on": "2020-02-01"}, 2, 2),  # A K | E G
        ({"period": "year", "on": "2020-06-01"}, 5, 2),  # A E F G K | D H
        (
            {"period": "custom", "on": "2020-01-01", "end": "2020-02-12"},
            3,
            2,
        ),  # A E G | D H (the 42 days before)
    ],
)
def test_months_years_and_custom_periods(client_for, history, query, current, previous):
    s = get_stats(client_for("border_guard_commander"), **query)
    assert (s["current"]["total"], s["previous"]["total"]) == (current, previous)


def test_a_custom_period_that_ends_before_it_starts_is_refused(client_for):
    r = client_for("border_guard_commander").get(
        "/api/v1/stats/exchange", {"period": "custom", "on": "2020-02-01", "end": "2020-01-01"}
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["end"]


# --- the same counts as plain SQL over the demo data -----------------------------------------------


def db_time(t: dt.datetime):
    """SQLite holds naive UTC text; PostgreSQL takes the aware value."""
    if connection.vendor == "sqlite":
        return t.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    return t


SQL_VISIBLE_EXCHANGED = """
SELECT i.level, COUNT(*)
FROM intel_item i
JOIN org_unit ou ON ou.id = i.origin_unit_id
WHERE i.is_drill = %(no)s AND i.exchanged_at >= %(start)s AND i.exchanged_at < %(end)s
  AND (
        ou.code = %(code)s
     OR EXISTS (SELECT 1 FROM intel_itemreceipt r JOIN org_unit ru ON ru.id = r.unit_id
                WHERE r.item_id = i.id AND ru.code = %(code)s)
     OR EXISTS (SELECT 1 FROM intel_verificationrequest v JOIN org_unit vu ON vu.id = v.unit_id
                WHERE v.item_id = i.id AND vu.code = %(code)s)
     OR (%(commander)s AND i.tlp <> 'red' AND (
              ou.path LIKE %(subtree)s
           OR EXISTS (SELECT 1 FROM intel_itemreceipt r JOIN org_unit ru ON ru.id = r.unit_id
                      WHERE r.item_id = i.id AND ru.path LIKE %(subtree)s)
           OR EXISTS (SELECT 1 FROM intel_verificationrequest v JOIN org_unit vu ON vu.id = v.unit_id
                      WHERE v.item_id = i.id AND vu.path LIKE %(subtree)s)))
  )
GROUP BY i.level
"""


def quarter_of(d: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = dt.date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    nxt = dt.date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return (
        dt.datetime(first.year, first.month, 1, tzinfo=HCM),
        dt.datetime(nxt.year, nxt.month, 1, tzinfo=HCM),
    )


def sql_counts(code: str, commander: bool, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    with connection.cursor() as cur:
        cur.execute("SELECT path FROM org_unit WHERE code = %s", [code])
        (path,) = cur.fetchone()
        cur.execute(
            SQL_VISIBLE_EXCHANGED,
            {
                "no": False,
                "start": db_time(start),
                "end": db_time(end),
                "code": code,
                "commander": commander,
                "subtree": path + "%",
            },
        )
        return {level: n for level, n in cur.fetchall()}


@pytest.mark.parametrize(
    "name, code, commander",
    [
        ("province_commander", "CA-TH", True),
        ("border_guard_commander", "BP-TH", True),
        ("na_meo_post_commander", "BP-DON-NA-MEO", True),
        ("na_meo_post_officer", "BP-DON-NA-MEO", False),
        ("na_meo_commune_police", "CA-XA-NA-MEO", False),
    ],
)
def test_the_counts_over_the_demo_items_equal_a_plain_sql_count(client_for, name, code, commander):
    today = timezone.localdate()
    start, end = quarter_of(today)
    prev_start, prev_end = quarter_of(start.date() - dt.timedelta(days=1))
    current, previous = (
        sql_counts(code, commander, start, end),
        sql_counts(code, commander, prev_start, prev_end),
    )
    if name == "province_commander":
        assert sum(current.values()) + sum(previous.values()) > 0, (
            "the demo data should give something to count"
        )
    s = get_stats(client_for(name), period="quarter")
    assert s["current"]["by_level"] == current
    assert s["current"]["total"] == sum(current.values())
    assert s["previous"]["by_level"] == previous
    assert s["previous"]["total"] == sum(previous.values())


# --- exports ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+84 912", "'+84 912"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ('=HYPERLINK("http://x","bấm")', '\'=HYPERLINK("http://x","bấm")'),
        ("Ma túy", "Ma túy"),
        ("a=b", "a=b"),
        ("", ""),
        (42, 42),
        (-3, -3),
        (None, None),
    ],
)
def test_safe_cell_neutralises_what_a_spreadsheet_would_run(value, expected):
    assert exports.safe_cell(value) == expected


@pytest.fixture
def formula_category(cast):
    c = services.category_propose(
        cast("police_administrator"),
        code="formula_test",
        name_vi='=HYPERLINK("http://x.example","bấm")',
        name_en="+cmd",
        name_lo="",
    )
    return services.category_approve(cast("border_guard_administrator"), category=c)


def test_a_category_named_like_a_formula_is_exported_as_text(
    cast, client_for, unit, new_item, formula_category
):
    with clock.frozen(local("2020-02-20 09:00")):
        item = new_item(category="formula_test")
        services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("HQ-NA-MEO")])
    c = client_for("border_guard_commander")
    q = {"period": "quarter", "on": "2020-02-20"}

    before = AuditEvent.objects.filter(verb=111).count()
    r = c.get("/api/v1/stats/exchange.csv", q)
    assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(verb=111).count() == before + 1  # the export is audited
    rows = list(csv.reader(io.StringIO(r.content.decode().lstrip("\ufeff"))))
    [row] = [row for row in rows if row[:2] == ["by_category", "formula_test"]]
    assert row[2] == '\'=HYPERLINK("http://x.example","bấm")' and row[3] == "1"
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@")]

    from openpyxl import load_workbook

    r = c.get("/api/v1/stats/exchange.xlsx", q)
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = [cell for row in ws.iter_rows() for cell in row]
    [label] = [cell for cell in cells if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert label.data_type == "s" and label.value.startswith("'=")
    assert not [cell for cell in cells if cell.data_type == "f"]


@pytest.mark.parametrize("url, extra", [("/api/v1/stats/exchange.csv", {}), ("/stats/", {"format": "csv"})])
def test_a_custom_period_export_is_still_a_named_download(client_for, url, extra):
    r = client_for("border_guard_commander").get(
        url, {"period": "custom", "on": "2020-01-01", "end": "2020-02-12", **extra}
    )
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment;")
    assert ".csv" in r["Content-Disposition"]

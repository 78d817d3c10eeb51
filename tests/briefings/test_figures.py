"""Every figure of the briefing equals a plain SQL count over the same rows, written here with the
rule stated in SQL (never asking the code under test):

- an item counts as exchanged in the period of its first share to a unit of another force
  (`exchanged_at`, Asia/Ho_Chi_Minh days), drills never; an incident counts in the period it was
  opened, drills never; a patrol in the period it starts, unless cancelled;
- a commune officer (duty officer of the Na Mèo commune police) counts the items its unit
  originated, received or was asked to verify, and the incidents its unit opened, takes part in
  (active) or has a task in;
- the coordination secretariat counts every record of the node, and may open none of them.

Each figure's link (the list's filters) gives a list of exactly that many records.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from liaison.briefings import figures
from liaison.core import clock

SCOPE = figures.Scope()


@pytest.fixture
def quarter():
    return figures.last_quarter()


def sql(query: str, params: list) -> list[tuple]:
    """A plain statement; instants are passed as the database stores them (SQLite compares the text
    of a UTC timestamp, so an aware datetime with its offset would shift the period's edges)."""
    stored = [
        connection.ops.adapt_datetimefield_value(v) if isinstance(v, dt.datetime) else v for v in params
    ]
    with connection.cursor() as c:
        c.execute(query, stored)
        return c.fetchall()


def unit_id(code: str):
    return sql("SELECT id FROM org_unit WHERE code = %s", [code])[0][0]


# The SQL statement of "what a commune officer of unit %(u)s sees" (items and incidents).
ITEM_SEEN_BY_UNIT = """(
    i.origin_unit_id = %s
    OR EXISTS (SELECT 1 FROM intel_itemreceipt r WHERE r.item_id = i.id AND r.unit_id = %s)
    OR EXISTS (SELECT 1 FROM intel_verificationrequest v WHERE v.item_id = i.id AND v.unit_id = %s)
)"""
INCIDENT_SEEN_BY_UNIT = """(
    n.opened_by_unit_id = %s
    OR EXISTS (SELECT 1 FROM incidents_participant p WHERE p.incident_id = n.id AND p.unit_id = %s AND p.active)
    OR EXISTS (SELECT 1 FROM incidents_task t WHERE t.incident_id = n.id AND t.unit_id = %s)
)"""


def readers():
    return {
        "secretariat": ("TRUE", "TRUE", []),
        "na_meo_commune_police": (ITEM_SEEN_BY_UNIT, INCIDENT_SEEN_BY_UNIT, ["CA-XA-NA-MEO"] * 3),
    }


def exchanged_sql(p, where_item: str, params: list, group: str | None = None):
    select = f"{group}, COUNT(*)" if group else "COUNT(*)"
    q = f"""SELECT {select} FROM intel_item i
        JOIN org_unit ou ON ou.id = i.origin_unit_id
        JOIN intel_category c ON c.id = i.category_id
        WHERE NOT i.is_drill AND i.exchanged_at >= %s AND i.exchanged_at < %s AND {where_item}"""
    if group:
        q += f" GROUP BY {group}"
    rows = sql(q, [p.start, p.end, *params])
    return dict(rows) if group else rows[0][0]


@pytest.mark.parametrize("reader", ["secretariat", "na_meo_commune_police"])
def test_exchange_figures_equal_plain_sql(cast, quarter, reader):
    where_item, _where_inc, codes = readers()[reader]
    params = [unit_id(c) for c in codes]
    f = figures.exchange(cast(reader), quarter, SCOPE)
    assert f["total"] == exchanged_sql(quarter, where_item, params)
    assert f["total"] > 0
    assert f["by_level"] == exchanged_sql(quarter, where_item, params, "i.level")
    assert f["by_origin_force"] == exchanged_sql(quarter, where_item, params, "ou.force")
    assert f["by_category"] == exchanged_sql(quarter, where_item, params, "c.code")
    assert f["by_status"] == exchanged_sql(quarter, where_item, params, "i.status")
    # Received by a unit of another force than the originator's: items, once per recipient force.
    rows = sql(
        f"""SELECT ru.force, COUNT(DISTINCT i.id) FROM intel_item i
            JOIN org_unit ou ON ou.id = i.origin_unit_id
            JOIN intel_itemreceipt r ON r.item_id = i.id JOIN org_unit ru ON ru.id = r.unit_id
            WHERE NOT i.is_drill AND i.exchanged_at >= %s AND i.exchanged_at < %s
              AND ru.force <> ou.force AND {where_item} GROUP BY ru.force""",
        [quarter.start, quarter.end, *params],
    )
    assert f["by_recipient_force"] == dict(rows)


@pytest.mark.parametrize("reader", ["secretariat", "na_meo_commune_police"])
def test_verification_figures_equal_plain_sql(cast, quarter, reader):
    where_item, _w, codes = readers()[reader]
    params = [unit_id(c) for c in codes]
    now = clock.now()
    with clock.frozen(now):
        f = figures.verification(cast(reader), quarter, SCOPE)
    base = f"""SELECT COUNT(DISTINCT i.id) FROM intel_item i JOIN intel_verificationrequest v ON v.item_id = i.id
        WHERE NOT i.is_drill AND v.state <> 'cancelled' AND v.created_at >= %s AND v.created_at < %s AND {where_item}"""
    args = [quarter.start, quarter.end, *params]
    assert f["requested"] == sql(base, args)[0][0]
    assert f["in_time"] == sql(base + " AND v.state = 'answered' AND v.answered_at <= v.due_at", args)[0][0]
    assert (
        f["overdue"]
        == sql(
            base
            + " AND ((v.state = 'answered' AND v.answered_at > v.due_at) OR (v.state = 'open' AND v.due_at < %s))",
            [*args, now],
        )[0][0]
    )


@pytest.mark.parametrize("reader", ["secretariat", "na_meo_commune_police"])
def test_incident_figures_and_outcome_totals_equal_plain_sql(cast, quarter, reader):
    _wi, where_inc, codes = readers()[reader]
    params = [unit_id(c) for c in codes]
    f = figures.incidents(cast(reader), quarter, SCOPE)
    base = f"""FROM incidents_incident n JOIN incidents_incidenttype t ON t.id = n.incident_type_id
        WHERE NOT n.is_drill AND n.opened_at >= %s AND n.opened_at < %s AND {where_inc}"""
    args = [quarter.start, quarter.end, *params]
    assert f["total"] == sql("SELECT COUNT(*) " + base, args)[0][0]
    assert f["by_type"] == dict(sql("SELECT t.code, COUNT(*) " + base + " GROUP BY t.code", args))
    assert f["by_severity"] == dict(sql("SELECT n.severity, COUNT(*) " + base + " GROUP BY n.severity", args))
    assert f["by_lead_force"] == dict(
        sql("SELECT n.lead_force, COUNT(*) " + base + " GROUP BY n.lead_force", args)
    )
    for col in ("arrested", "detained", "rescued", "evacuated", "deaths", "injured"):
        total = sql(
            f"SELECT COALESCE(SUM(o.{col}), 0) FROM incidents_outcome o WHERE o.incident_id IN (SELECT n.id "
            + base
            + ")",
            args,
        )[0][0]
        assert f["outcomes"][col] == total, col
    seized = sql(
        "SELECT s.kind, SUM(s.quantity) FROM incidents_seizure s JOIN incidents_outcome o ON o.id = s.outcome_id"
        " WHERE o.incident_id IN (SELECT n.id " + base + ") GROUP BY s.kind",
        args,
    )
    assert {k: Decimal(v) for k, v in f["seizures"].items()} == {k: Decimal(str(v)) for k, v in seized}


def test_the_demo_quarter_has_outcomes_to_total(cast, quarter):
    f = figures.incidents(cast("secretariat"), quarter, SCOPE)
    assert f["total"] > 0
    assert sum(f["outcomes"].values()) > 0 or f["seizures"]


@pytest.mark.parametrize("reader", ["secretariat", "na_meo_commune_police"])
def test_patrol_figures_equal_plain_sql(cast, quarter, reader):
    f = figures.patrols(cast(reader), quarter, SCOPE)
    # The commune police takes part in no patrol of the demo: it counts none.
    if reader == "secretariat":
        where, params = "TRUE", []
    else:
        u = unit_id("CA-XA-NA-MEO")
        where = "(p.lead_unit_id = %s OR EXISTS (SELECT 1 FROM patrols_patrolunit pu WHERE pu.patrol_id = p.id AND pu.unit_id = %s))"
        params = [u, u]
    base = f"FROM patrols_patrol p WHERE p.status <> 'cancelled' AND p.starts_at >= %s AND p.starts_at < %s AND {where}"
    args = [quarter.start, quarter.end, *params]
    assert f["patrols"] == sql("SELECT COUNT(*) " + base, args)[0][0]
    by_kind = dict(sql("SELECT p.kind, COUNT(*) " + base + " GROUP BY p.kind", args))
    assert {k: v for k, v in f["by_kind"].items() if v} == by_kind


def test_the_secretariat_counts_the_whole_node_and_its_counts_are_not_partial(cast, quarter):
    g = figures.generate(cast("secretariat"), quarter, SCOPE)
    assert g["partial"] == {"exchange": False, "verification": False, "incidents": False, "patrols": False}
    assert (
        g["current"]["exchange"]["total"]
        == sql(
            "SELECT COUNT(*) FROM intel_item WHERE NOT is_drill AND exchanged_at >= %s AND exchanged_at < %s",
            [quarter.start, quarter.end],
        )[0][0]
    )


def test_a_commune_officer_counts_fewer_and_is_told_the_count_is_partial(cast, quarter):
    g = figures.generate(cast("na_meo_commune_police"), quarter, SCOPE)
    node = sql(
        "SELECT COUNT(*) FROM intel_item WHERE NOT is_drill AND exchanged_at >= %s AND exchanged_at < %s",
        [quarter.start, quarter.end],
    )[0][0]
    assert g["current"]["exchange"]["total"] < node
    assert g["partial"]["exchange"] is True


def test_each_figure_beside_the_previous_period_and_a_year_before(cast, quarter):
    g = figures.generate(cast("secretariat"), quarter, SCOPE)
    prev, yb = quarter.previous(), quarter.year_before()
    assert g["previous_period"]["starts_on"] == prev.starts_on.isoformat()
    assert (yb.starts_on.year, yb.starts_on.month) == (quarter.starts_on.year - 1, quarter.starts_on.month)
    for p, key in ((prev, "previous"), (yb, "year_before")):
        assert (
            g[key]["exchange"]["total"]
            == sql(
                "SELECT COUNT(*) FROM intel_item WHERE NOT is_drill AND exchanged_at >= %s AND exchanged_at < %s",
                [p.start, p.end],
            )[0][0]
        )


def test_drills_are_left_out_and_listed_apart(cast, quarter, new_item):
    post = cast("na_meo_post_officer")
    when = quarter.start + dt.timedelta(days=3)
    with clock.frozen(when):
        drill = new_item("na_meo_post_officer", is_drill=True)
    g = figures.generate(post, quarter, SCOPE)
    assert drill.ref in [d["ref"] for d in g["drills"]["items"]]


def test_periods_month_half_year_and_custom():
    on = dt.date(2026, 8, 15)
    assert figures.period("month", on).label == "08/2026"
    assert figures.period("half", on) == figures.Period("half", dt.date(2026, 7, 1), dt.date(2027, 1, 1))
    assert figures.period("year", on).previous().label == "2025"
    q = figures.period("quarter", on)
    assert (q.label, q.previous().label, q.year_before().label) == ("Q3/2026", "Q2/2026", "Q3/2025")
    c = figures.period("custom", dt.date(2026, 1, 10), dt.date(2026, 1, 20))
    assert c.previous() == figures.Period("custom", dt.date(2025, 12, 31), dt.date(2026, 1, 10))

"""The timeliness scorecard equals plain SQL over the same rows, and every number of it (counts,
shares, the median) links to the list of exactly the records behind it, through the policy.

The rules, stated here:
- an item delivered to a unit in the period counts for that unit; it is acknowledged in time when
  acknowledged within 24 hours of delivery; the median delay is over the items it acknowledged;
- a unit's verifications are the items it was asked to verify in the period (requests not
  cancelled), in time when answered by the deadline;
- a unit's incidents are those it leads, opened in the period, with an acknowledgement deadline;
  in time when acknowledged by it;
- drills never count; a reader counts only what they may see.
"""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from liaison.briefings import figures, selectors
from liaison.briefings.models import Briefing
from liaison.core import clock
from liaison.intel import services as intel
from liaison.intel.models import VerificationRequest

from .test_figures import INCIDENT_SEEN_BY_UNIT, ITEM_SEEN_BY_UNIT, sql, unit_id
from .test_links import listed

SCOPE = figures.Scope()


def _instant(v):
    return dt.datetime.fromisoformat(v) if isinstance(v, str) else v


def readers():
    return {
        "secretariat": ("TRUE", "TRUE", []),
        "na_meo_commune_police": (ITEM_SEEN_BY_UNIT, INCIDENT_SEEN_BY_UNIT, ["CA-XA-NA-MEO"] * 3),
    }


def expected(p, where_item, where_inc, params) -> dict[str, dict]:
    rows: dict[str, dict] = {}

    def row(code):
        return rows.setdefault(
            code,
            {
                "items": 0,
                "items_in_time": 0,
                "delays": [],
                "verifications": 0,
                "verifications_in_time": 0,
                "incidents": 0,
                "incidents_in_time": 0,
            },
        )

    for code, delivered, acked in sql(
        f"""SELECT u.code, r.delivered_at, r.acknowledged_at FROM intel_itemreceipt r
            JOIN intel_item i ON i.id = r.item_id JOIN org_unit u ON u.id = r.unit_id
            WHERE NOT i.is_drill AND r.delivered_at >= %s AND r.delivered_at < %s AND {where_item}""",
        [p.start, p.end, *params],
    ):
        r = row(code)
        r["items"] += 1
        if acked is not None:
            delay = _instant(acked) - _instant(delivered)
            r["delays"].append(delay.total_seconds() / 3600)
            r["items_in_time"] += delay <= dt.timedelta(hours=24)
    for code, n, ok in sql(
        f"""SELECT u.code, COUNT(DISTINCT i.id),
                   COUNT(DISTINCT CASE WHEN v.state = 'answered' AND v.answered_at <= v.due_at THEN i.id END)
            FROM intel_verificationrequest v JOIN intel_item i ON i.id = v.item_id
            JOIN org_unit u ON u.id = v.unit_id
            WHERE NOT i.is_drill AND v.state <> 'cancelled' AND v.created_at >= %s AND v.created_at < %s
              AND {where_item} GROUP BY u.code""",
        [p.start, p.end, *params],
    ):
        row(code).update(verifications=n, verifications_in_time=ok)
    for code, n, ok in sql(
        f"""SELECT u.code, COUNT(*), SUM(CASE WHEN n.acknowledged_at <= n.ack_due_at THEN 1 ELSE 0 END)
            FROM incidents_incident n JOIN org_unit u ON u.id = n.lead_unit_id
            WHERE NOT n.is_drill AND n.opened_at >= %s AND n.opened_at < %s
              AND n.ack_due_at IS NOT NULL AND {where_inc} GROUP BY u.code""",
        [p.start, p.end, *params],
    ):
        row(code).update(incidents=n, incidents_in_time=ok)
    return rows


@pytest.mark.parametrize("reader", ["secretariat", "na_meo_commune_police"])
def test_the_scorecard_equals_plain_sql(cast, reader):
    p = figures.last_quarter()
    where_item, where_inc, codes = readers()[reader]
    params = [unit_id(c) for c in codes]
    want = expected(p, where_item, where_inc, params)
    with clock.frozen(clock.now()):
        card = {r["unit"]: r for r in figures.scorecard(cast(reader), p, SCOPE)}
    assert set(card) == set(want)
    assert sum(r["items"] for r in want.values()) > 0
    for code, w in want.items():
        got = card[code]
        for k in ("items", "items_in_time", "verifications", "verifications_in_time", "incidents"):
            assert got[k] == w[k], (code, k)
        assert got["incidents_in_time"] == w["incidents_in_time"], code
        assert got["items_acknowledged"] == len(w["delays"])
        median = round(statistics.median(w["delays"]), 1) if w["delays"] else None
        assert got["median_hours"] == median, code
        if got["items"]:
            assert got["items_share"] == round(100 * w["items_in_time"] / w["items"])


def test_every_number_of_the_scorecard_lists_exactly_its_records(cast, client_for, new_item, unit):
    """A share links to the records in time, a median to the items acknowledged (the delays it is
    the median of), each count to its records: the list's own filters, the reader's policy."""
    reader = "border_guard_commander"
    p = figures.last_quarter()
    # A verification asked of a post of the reader's subtree, dated in the middle of the quarter.
    asked_at = p.start + dt.timedelta(days=40)
    req = intel.verification_request(
        cast("na_meo_post_officer"),
        item=new_item("na_meo_post_officer"),
        unit=unit("BP-DON-BAT-MOT"),
        due_at=clock.now() + dt.timedelta(days=2),
    )
    VerificationRequest.objects.filter(pk=req.pk).update(
        created_at=asked_at, due_at=asked_at + dt.timedelta(days=2)
    )
    card = figures.scorecard(cast(reader), p, SCOPE)
    client = client_for(reader)
    rows = sorted(card, key=lambda r: -(r["items"] + r["verifications"] + r["incidents"]))[:3]
    assert rows and any(r["incidents"] for r in card) and any(r["verifications"] for r in card)
    rows += [next(r for r in card if r["incidents"]), next(r for r in card if r["verifications"])]
    figure_of = {
        "items_share": "items_in_time",
        "median_hours": "items_acknowledged",
        "verifications_share": "verifications_in_time",
        "incidents_share": "incidents_in_time",
    }
    for r in rows:
        for column in figures.SCORECARD_COLUMNS:
            target = figures.link(f"scorecard.{column}", r["unit"], p, SCOPE)
            assert target is not None, column
            assert listed(client, *target) == r[figure_of.get(column, column)], (r["unit"], column)


def test_the_page_links_the_shares_and_the_medians(client_for):
    b = Briefing.objects.get(
        owner_unit__code="BP-TH", starts_on=figures.last_quarter().starts_on, state="approved"
    )
    html = client_for("border_guard_commander").get(f"/briefings/{b.pk}/").content.decode()
    card = html[html.index('data-section="scorecard"') :]
    card = card[: card.index("</table>")]
    assert card.count('data-figure="share"') > 0
    assert 'data-figure="median_hours"' in card
    assert "delivered_to=" in card and "verification_unit=" in card and "lead_unit=" in card


def test_the_secretariat_sees_the_scorecard_without_links(cast):
    b = Briefing.objects.get(
        owner_unit__code="BP-TH", starts_on=figures.last_quarter().starts_on, state="approved"
    )
    out = selectors.briefing_out(cast("border_guard_commander"), b)
    assert any(r["links"]["items_share"] for r in out["scorecard"])
    card = selectors.briefing_out(cast("secretariat"), b)["scorecard"]
    assert card
    assert all(v is None for r in card for v in r["links"].values())

"""Every figure links to the list of the records behind it, and that list holds exactly as many
records as the figure counts (the list's own filters; the API answers the same query)."""

from __future__ import annotations

import pytest

from liaison.briefings import figures, tables

READER = "border_guard_commander"


def listed(client, name: str, query: dict) -> int:
    if name == "intel:list":
        r = client.get("/api/v1/items", {**query, "limit": 1})
        assert r.status_code == 200, r.content
        assert not r.json()["count_capped"]
        return r.json()["count"]
    if name == "incidents:board":
        r = client.get("/api/v1/incidents", query)
        assert r.status_code == 200, r.content
        return len(r.json())
    assert name == "patrols:list"
    n, cursor = 0, None
    while True:
        r = client.get("/api/v1/patrols", {**query, "limit": 200, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.content
        n += len(r.json()["patrols"])
        cursor = r.json()["next_cursor"]
        if not cursor:
            return n


def test_every_figure_of_the_quarter_lists_exactly_its_count(cast, client_for):
    p = figures.last_quarter()
    g = figures.generate(cast(READER), p, figures.Scope())
    client = client_for(READER)
    checked = 0
    for t in tables.tables(g):
        for row in t.rows:
            target = figures.link(t.section, row.key, p, figures.Scope())
            if target is None or t.section in ("incidents.outcomes", "incidents.seizures"):
                continue  # totals of people and goods: their link lists the incidents behind them
            if t.section == "patrols.total" and row.key != "patrols":
                continue  # people-days, markers, findings: their link lists the patrols behind them
            assert listed(client, *target) == row.values[0], (t.section, row.key)
            checked += 1
    assert checked > 15


def test_an_outcome_total_links_to_the_incidents_with_that_outcome(cast, client_for):
    p = figures.last_quarter()
    f = figures.incidents(cast(READER), p, figures.Scope())
    client = client_for(READER)
    for kind, n in f["outcome_incidents"].items():
        assert listed(client, *figures.link("incidents.outcomes", kind, p, figures.Scope())) == n
    for kind, n in f["seizure_incidents"].items():
        assert listed(client, *figures.link("incidents.seizures", kind, p, figures.Scope())) == n


@pytest.mark.parametrize("scope", [figures.Scope("border"), figures.Scope("unit", "BP-DON-NA-MEO")])
def test_a_scoped_figure_lists_exactly_its_count(cast, client_for, scope):
    p = figures.last_quarter()
    client = client_for(READER)
    ex = figures.exchange(cast(READER), p, scope)
    assert listed(client, *figures.link("exchange.total", "total", p, scope)) == ex["total"]
    inc = figures.incidents(cast(READER), p, scope)
    assert listed(client, *figures.link("incidents.total", "total", p, scope)) == inc["total"]


def test_the_exchange_statistics_and_the_filtered_list_agree(client_for):
    """The statistic said 47 where the list filtered by level and quarter gave 49: one definition."""
    client = client_for(READER)
    on = figures.last_quarter().starts_on.isoformat()
    s = client.get("/api/v1/stats/exchange", {"period": "quarter", "on": on}).json()
    assert s["current"]["by_level"]
    start, end = s["period"]["start"], s["period"]["end"]
    for level, n in s["current"]["by_level"].items():
        q = {"exchanged_since": start, "exchanged_until": end, "level": level}
        assert listed(client, "intel:list", q) == n
    page = client.get("/stats/", {"period": "quarter", "on": on})
    assert page.status_code == 200
    assert b"exchanged_since=" in page.content

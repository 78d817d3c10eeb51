"""Who sees what of a program (issue 17), over the demo's three programs: the owner unit and its
commanders see everything; a participating commune its own entries and the overall totals; others
nothing. The rule is stated here in plain words and sets, not asked of the code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from liaison.programs.models import Program
from tests.conftest import signed_in_client

WEAPONS, DRUGS, FLOOD = "weapons-hand-in", "drug-free-commune", "flash-flood-resettlement"
ALL = {WEAPONS, DRUGS, FLOOD}
NA_MEO = "VN-38-15013"
SIX = {"VN-38-15607", "VN-38-14863", "VN-38-15013", "VN-38-14866", "VN-38-14845", "VN-38-15007"}

# member -> (programs seen, communes whose rows they see in each seen program: "all" or a set)
EXPECTED = {
    # The weapons program's owner (CA-TH) commander: CA-TH-PC04 (drug programme's owner) and the
    # commune police are below CA-TH; the flood programme (province committee) is not.
    "province_commander": ({WEAPONS, DRUGS}, "all"),
    # The drug department owns the drug-free programme.
    "police_analyst": ({DRUGS}, "all"),
    # Na Mèo's commune police reports for weapons and drugs: its own row, and the totals.
    "na_meo_commune_police": ({WEAPONS, DRUGS}, {NA_MEO}),
    "command_centre_officer": (set(), set()),
    "na_meo_post_officer": (set(), set()),
    "border_guard_commander": (set(), set()),
    "police_administrator": (set(), set()),
    "auditor": (set(), set()),
    "hua_phan_partner": (set(), set()),
}


def _demo_programs():
    return {p.template.code: p for p in Program.objects.select_related("template")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_programs_progress_and_entries_follow_the_rule(name):
    programs, rows = EXPECTED[name]
    c = signed_in_client(name)
    demo = _demo_programs()
    listed = c.get("/api/v1/programs?limit=200")
    seen = {
        code
        for code, p in demo.items()
        if listed.status_code == 200 and str(p.pk) in {r["id"] for r in listed.json()["rows"]}
    }
    assert seen == programs
    for code, p in demo.items():
        r = c.get(f"/api/v1/programs/{p.pk}/progress")
        if code not in programs:
            assert r.status_code == 404
            continue
        body = r.json()
        communes = {row["key"] for row in body["communes"]}
        assert communes == (SIX if rows == "all" else rows)
        assert body["total"]["months"], "the totals are shown to whoever sees the program"
        entries = c.get(f"/api/v1/entries?program={p.ref}&limit=200").json()["rows"]
        assert {e["commune_code"] for e in entries} <= (SIX if rows == "all" else rows)
        page = c.get(f"/programs/{p.pk}/").content.decode()
        for commune in SIX - (SIX if rows == "all" else rows):
            assert f'data-commune="{commune}"' not in page


def test_the_totals_count_every_commune_for_a_commune_reader():
    """A commune sees the overall totals: the same as the owner's."""
    p = _demo_programs()[WEAPONS]
    own = signed_in_client("na_meo_commune_police").get(f"/api/v1/programs/{p.pk}/progress").json()["total"]
    owner = signed_in_client("province_commander").get(f"/api/v1/programs/{p.pk}/progress").json()["total"]
    assert own == owner


def test_the_demo_has_one_commune_behind_and_one_month_missing():
    p = _demo_programs()[WEAPONS]
    body = signed_in_client("province_commander").get(f"/api/v1/programs/{p.pk}/progress").json()
    shares = {row["key"]: row["percent"] for row in body["communes"]}
    assert min(shares, key=lambda k: shares[k] or 0) == "VN-38-14845"  # Mường Lát
    missing = signed_in_client("province_commander").get(f"/api/v1/programs/{p.pk}/missing").json()
    assert {(m["commune_code"]) for m in missing} == {"VN-38-14863"}  # Pù Nhi


def test_figures_equal_a_plain_sql_sum_over_the_approved_entries():
    """The quarterly briefing's figures: per program and indicator, the sum of the current approved
    entries' values in the period, as plain SQL would add them."""
    c = signed_in_client("province_commander")
    start, end = dt.date(2000, 1, 1), dt.date(2100, 1, 1)
    for s, e in ((start, end), (dt.date.today().replace(day=1) - dt.timedelta(days=95), dt.date.today())):
        body = c.get(f"/api/v1/program-figures?start={s}&end={e}").json()
        assert {b["ref"] for b in body} == {
            p.ref for code, p in _demo_programs().items() if code in (WEAPONS, DRUGS)
        }
        for prog in body:
            for ind in prog["indicators"]:
                with connection.cursor() as cur:
                    cur.execute(
                        "SELECT COALESCE(SUM(v.number), 0) FROM programs_entryvalue v"
                        " JOIN programs_entry e ON e.id = v.entry_id"
                        " JOIN programs_indicator i ON i.id = v.indicator_id"
                        " JOIN programs_program p ON p.id = e.program_id"
                        " WHERE p.ref = %s AND i.code = %s AND e.status = 'approved' AND e.is_current"
                        " AND e.month >= %s AND e.month < %s",
                        [prog["ref"], ind["code"], s.replace(day=1), e],
                    )
                    (expected,) = cur.fetchone()
                assert float(ind["sum"]) == float(expected), (prog["ref"], ind["code"])

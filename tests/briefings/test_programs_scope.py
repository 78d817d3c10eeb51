"""Programs respect the briefing's scope: a district or commune briefing counts only the entries of
its communes (approved, current, months in the period: the same rule as the province's), and a
program none of whose communes is in the scope is not shown. Stated in plain SQL."""

from __future__ import annotations

from decimal import Decimal

from liaison.briefings import figures

from .test_figures import sql

SUMS = """SELECT ind.code, COALESCE(SUM(v.number), 0), COUNT(DISTINCT e.id)
    FROM programs_entryvalue v JOIN programs_entry e ON e.id = v.entry_id
    JOIN programs_indicator ind ON ind.id = v.indicator_id
    JOIN programs_participation pa ON pa.id = e.participation_id
    JOIN geo_area a ON a.id = pa.commune_id LEFT JOIN geo_area parent ON parent.id = a.parent_id
    WHERE e.program_id = %s AND e.is_current AND e.status = 'approved' AND e.month >= %s AND e.month < %s
      AND ({where})
    GROUP BY ind.code"""
ENTRIES = """SELECT COUNT(*) FROM programs_entry e
    JOIN programs_participation pa ON pa.id = e.participation_id
    JOIN geo_area a ON a.id = pa.commune_id LEFT JOIN geo_area parent ON parent.id = a.parent_id
    WHERE e.program_id = %s AND e.is_current AND e.status = 'approved' AND e.month >= %s AND e.month < %s
      AND ({where})"""


def busiest_commune(p) -> str:
    """The commune with the most approved entries in the period (the demo has several communes)."""
    rows = sql(
        """SELECT a.code, COUNT(*) FROM programs_entry e
           JOIN programs_participation pa ON pa.id = e.participation_id JOIN geo_area a ON a.id = pa.commune_id
           WHERE e.is_current AND e.status = 'approved' AND e.month >= %s AND e.month < %s
           GROUP BY a.code ORDER BY COUNT(*) DESC, a.code""",
        [p.starts_on, p.ends_on],
    )
    assert len(rows) >= 2, "the demo's programs report from more than one commune"
    return rows[0][0]


def check(actor, p, scope, where: str, params: list) -> list[dict]:
    got = figures.programs_(actor, p, scope)
    for prog in got:
        args = [prog["id"].replace("-", "") if _hex_ids() else prog["id"], p.starts_on, p.ends_on]
        want = {
            code: (Decimal(str(total)), n) for code, total, n in sql(SUMS.format(where=where), args + params)
        }
        assert prog["entries"] == sql(ENTRIES.format(where=where), args + params)[0][0]
        for ind in prog["indicators"]:
            assert Decimal(ind["sum"]) == want.get(ind["code"], (Decimal(0), 0))[0], (
                prog["ref"],
                ind["code"],
            )
    return got


def _hex_ids() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite"  # UUIDs are stored as 32 hex digits there


def test_a_commune_briefing_counts_only_that_communes_program_entries(cast):
    p = figures.last_quarter()
    actor = cast("secretariat")
    commune = busiest_commune(p)
    province = figures.programs_(actor, p, figures.Scope())
    scoped = check(actor, p, figures.Scope("area", commune), "a.code = %s OR parent.code = %s", [commune] * 2)
    assert scoped, "the commune takes part in a program"
    assert sum(x["entries"] for x in scoped) < sum(x["entries"] for x in province)


def test_an_area_briefing_counts_the_communes_under_it(cast):
    """The area above a commune (the demo's communes sit under the province: no districts since 2025)."""
    p = figures.last_quarter()
    commune = busiest_commune(p)
    parent = sql(
        "SELECT parent.code FROM geo_area a JOIN geo_area parent ON parent.id = a.parent_id WHERE a.code = %s",
        [commune],
    )[0][0]
    got = check(
        cast("secretariat"),
        p,
        figures.Scope("area", parent),
        "a.code = %s OR parent.code = %s",
        [parent] * 2,
    )
    assert got


def test_a_scope_without_any_of_the_programs_communes_shows_no_program(cast):
    p = figures.last_quarter()
    outside = sql(
        """SELECT a.code FROM geo_area a WHERE a.kind = 'commune' AND NOT EXISTS (
               SELECT 1 FROM programs_participation pa WHERE pa.commune_id = a.id) ORDER BY a.code""",
        [],
    )
    assert outside
    assert figures.programs_(cast("secretariat"), p, figures.Scope("area", outside[0][0])) == []

"""References: PREFIX-YEAR-NNNNNN, never repeated; on PostgreSQL from a sequence that takes no lock
held until commit, so concurrent creates never queue on it (decision 0010)."""

from __future__ import annotations

import re

import psycopg
import pytest
from django.db import connection, transaction

from liaison.core.refs import next_ref, sequence_name

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="sequences are PostgreSQL's")


def _number(ref: str) -> int:
    m = re.fullmatch(r"[A-Z]+-(\d{4})-(\d{6})", ref)
    assert m, ref
    return int(m.group(2))


def test_references_read_over_the_phone_and_never_repeat(db):
    with transaction.atomic():
        refs = [next_ref("ZZ") for _ in range(5)]
    assert len(set(refs)) == 5
    numbers = [_number(r) for r in refs]
    assert numbers == sorted(numbers) and numbers[0] >= 1


@postgres_only
def test_a_rolled_back_create_leaves_a_gap_on_postgresql(db):
    with transaction.atomic():
        first = _number(next_ref("ZY"))
    try:
        with transaction.atomic():
            next_ref("ZY")
            raise ValueError("the create fails")
    except ValueError:
        pass
    with transaction.atomic():
        third = _number(next_ref("ZY"))
    assert third == first + 2  # a name, not a count


@postgres_only
def test_a_second_connection_takes_a_reference_while_the_first_has_not_committed(db):
    """The old counter row was locked until commit: every concurrent create queued behind it."""
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None, dbname=s["NAME"]
    ) as other:
        with transaction.atomic():
            year = int(next_ref("ZZ").split("-")[1])
        other.execute(f"CREATE SEQUENCE IF NOT EXISTS {sequence_name('ZX', year)}")  # as last year's
        other.commit()
        with transaction.atomic():
            mine = next_ref("ZX")  # not committed: the test's transaction is still open
            other.execute("SET lock_timeout = '1s'")
            theirs = other.execute("SELECT nextval(%s)", [sequence_name("ZX", year)]).fetchone()[0]
    assert theirs == _number(mine) + 1


def test_a_prefix_is_capital_letters_only():
    with pytest.raises(ValueError):
        sequence_name("zz; DROP", 2026)

"""Human references that officers can read over the phone: PREFIX-YEAR-NNNNNN.

A reference is a name, not a count (decision 0010): on PostgreSQL it comes from a database sequence
per prefix and year, which takes no lock that lives until commit, so concurrent creates never
queue on it; a rolled-back create leaves a gap. Statistics count rows, never references. SQLite has
one writer at a time anyway: there the per-year counter row serves (it gives a rolled-back number
back)."""

from __future__ import annotations

import re

from django.db import IntegrityError, ProgrammingError, connection, transaction

from liaison.core import clock
from liaison.core.models import RefCounter

_PREFIX = re.compile(r"^[A-Z]{1,10}$")


def sequence_name(prefix: str, year: int) -> str:
    if not _PREFIX.match(prefix):
        raise ValueError(f"a reference prefix is 1-10 capital letters, not {prefix!r}")
    return f"liaison_ref_{prefix.lower()}_{year}"


def next_ref(prefix: str) -> str:
    """The next reference for `prefix` this year (Asia/Ho_Chi_Minh), inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_ref must run inside the creating transaction")
    from django.utils import timezone

    year = timezone.localtime(clock.now()).year
    number = (
        _from_sequence(prefix, year) if connection.vendor == "postgresql" else _from_counter(prefix, year)
    )
    return f"{prefix}-{year}-{number:06d}"


def _from_sequence(prefix: str, year: int) -> int:
    name = sequence_name(prefix, year)
    for _attempt in range(3):
        try:
            with transaction.atomic(), connection.cursor() as c:
                c.execute("SELECT nextval(%s)", [name])
                return c.fetchone()[0]
        except ProgrammingError:  # the year's first reference: its sequence does not exist yet
            try:
                with transaction.atomic(), connection.cursor() as c:
                    c.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")
            except IntegrityError:  # created by a concurrent first reference: use theirs
                pass
    raise RuntimeError(f"no sequence {name}")


def _from_counter(prefix: str, year: int) -> int:
    counter = RefCounter.objects.select_for_update().filter(prefix=prefix, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                RefCounter.objects.create(prefix=prefix, year=year, last=0)
        except IntegrityError:
            pass
        counter = RefCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last

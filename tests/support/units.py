"""What a record's row holds in its `search_units` column (decisions 0020, 0023), read straight from
the table: the ids of the units as hex, on either database."""

from __future__ import annotations

import uuid

from django.db import connection

from liaison.core.search_schema import UNITS


def stored_units(table: str, pk) -> set[str]:
    with connection.cursor() as cur:
        key = pk if connection.vendor == "postgresql" else pk.hex
        cur.execute(f"SELECT {UNITS} FROM {table} WHERE id = %s", [key])  # noqa: S608
        value = cur.fetchone()[0]
    if connection.vendor == "postgresql":
        return {uuid.UUID(str(u)).hex for u in value}
    return {tok[1:] for tok in value.split() if tok.startswith("u")}  # "-": set, no unit

"""Rows of known ids, read by one statement compiled once per process (issue 15).

A list first finds the ids of its page through the policy (a narrow walk of an index), then reads
the page's columns by id. Through the ORM that second read cost more than the first: the queryset
built and compiled on every request, 51 placeholders converted by the driver, and a four-table
join that PostgreSQL planned for longer than it ran (1.9 ms of planning at 100k) and executed by
hashing whole reference tables (geo_area's 2,032 rows for 51 items). Here the statement is text
made once from the models: the row's own columns, and each column of a related row (one
foreign-key hop, `category__code`) as a scalar subquery, an index probe per row. The ids go in as
one array parameter on PostgreSQL (`= ANY(%s)`), as placeholders on SQLite.

The ids must already be ones the reader may see: this module reads, it does not decide.
"""

from __future__ import annotations

import functools

from django.db import connections

__all__ = ["by_ids", "converters_of"]

SQLITE_CHUNK = 500  # placeholders per statement (SQLite allows 32,766; older builds 999)


class _Col:
    """What a backend's converters ask of a column expression: its output field."""

    def __init__(self, field) -> None:
        self.output_field = self.target = field


def converters_of(connection, field) -> list:
    """The functions that turn the database's value of `field` into Python's, in order (what the
    ORM applies to a column it selects)."""
    return connection.ops.get_db_converters(_Col(field)) + field.get_db_converters(connection)


@functools.cache
def _statement(model, columns: tuple[str, ...], alias: str, vendor: str, n: int) -> tuple[str, list]:
    connection = connections[alias]
    q = connection.ops.quote_name
    meta = model._meta
    select, convert = [], []
    for name in columns:
        own, _, far = name.partition("__")
        field = meta.get_field(own)
        if not far:
            select.append(f"r.{q(field.column)}")
            convert.append(converters_of(connection, field))
            continue
        if "__" in far or not field.many_to_one:
            raise ValueError(f"{name}: one foreign-key hop only")
        target = field.related_model._meta
        column = target.get_field(far)
        select.append(
            f"(SELECT t.{q(column.column)} FROM {q(target.db_table)} t"  # noqa: S608 (names from the models)
            f" WHERE t.{q(target.pk.column)} = r.{q(field.column)})"
        )
        convert.append(converters_of(connection, column))
    where = (
        f"r.{q(meta.pk.column)} = ANY(%s)"
        if vendor == "postgresql"
        else f"r.{q(meta.pk.column)} IN ({', '.join(['%s'] * n)})"
    )
    sql = f"SELECT {', '.join(select)} FROM {q(meta.db_table)} r WHERE {where}"  # noqa: S608
    return sql, convert


def by_ids(model, columns: tuple[str, ...], ids, *, using: str = "default") -> dict:
    """{pk: {column: value}} of the rows of `model` whose primary key is in `ids` (in no order;
    missing ids are absent). `columns` name the model's fields or one foreign-key hop
    (`origin_unit__code`); the first is the primary key's name. Meant for a page of rows: on
    SQLite the ids go in as placeholders, SQLITE_CHUNK at a time."""
    pk = model._meta.pk
    if not columns or columns[0] != pk.attname:
        raise ValueError("the first column is the primary key")
    connection = connections[using]
    ids = [pk.get_db_prep_value(pk.to_python(v), connection) for v in dict.fromkeys(ids)]
    if connection.vendor == "postgresql":
        chunks = [[ids]] if ids else []
    else:
        chunks = [ids[i : i + SQLITE_CHUNK] for i in range(0, len(ids), SQLITE_CHUNK)]
    out = {}
    for params in chunks:
        n = 0 if connection.vendor == "postgresql" else len(params)
        sql, convert = _statement(model, tuple(columns), using, connection.vendor, n)
        with connection.cursor() as cur:
            cur.execute(sql, params)
            raw = cur.fetchall()
        for row in raw:
            values = {}
            for name, value, fns in zip(columns, row, convert, strict=True):
                for fn in fns:
                    value = fn(value, None, connection)
                values[name] = value
            out[values[columns[0]]] = values
    return out

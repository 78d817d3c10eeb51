"""How the rules' id sets reach the database.

`id IN (subquery)` lets PostgreSQL pull the set up into a semi-join whose size it cannot estimate
(a UNION of several tables: it assumes 200 rows); at 1M items it then picked nested loops over
whole tables. `id = ANY(ARRAY(subquery))` computes the set once (an init plan) and probes the
primary key with it, which is the plan an officer's few thousand involved items want. SQLite keeps
`IN (subquery)`, which its planner already runs that way.
"""

from __future__ import annotations

import uuid

from django.db.models import BooleanField, Expression, ForeignKey, Lookup, UUIDField

from liaison.core.search_schema import UNITS


@UUIDField.register_lookup
class InSet(Lookup):
    lookup_name = "in_set"

    def get_prep_lookup(self):
        from django.db.models.sql.query import Query

        if isinstance(self.rhs, Query):
            self.rhs.clear_ordering(clear_default=True)  # as `__in` does: a set has no order
        return super().get_prep_lookup()

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


# On a foreign key too (`item_id__in_set=…`): the briefing's receipts of a period's items probe the
# (item, unit) index with the set computed once.
ForeignKey.register_lookup(InSet)


class InvolvedAny(Expression):
    """True for the rows of a record table whose involved units (the `search_units` column, kept by
    triggers from the declaration's relations: core.search_schema, decision 0020) include any of
    `units`. The SQL is a fixed text with the units as one parameter: it compiles the same for every
    reader, and the database tests it on the row itself instead of one subquery per relation.

    - PostgreSQL: `units && $1::uuid[]` over the `uuid[]` column (the search index covers it: GIN).
    - SQLite: the row's rowid among the FTS5 table's matches of the units' tokens (the column's
      FTS5 posting lists: a set, as `IN (subquery)` always was here)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, table: str, units: list, alias: str | None = None):
        super().__init__(output_field=BooleanField())
        self.table = table
        self.units = list(units)
        self.alias = alias

    def __repr__(self) -> str:
        return f"InvolvedAny({self.table}, {len(self.units)} units)"

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        from django.db.models.sql.where import WhereNode

        # In a WHERE node, so that SQLite reads `rowid IN (…)` as a condition it may drive the
        # query from, rather than comparing the expression's value with true (`(…) = 1`).
        alias = query.get_initial_alias() if query is not None else None
        return WhereNode([InvolvedAny(self.table, self.units, alias)])

    def relabeled_clone(self, change_map):
        return InvolvedAny(self.table, self.units, change_map.get(self.alias, self.alias))

    def get_group_by_cols(self):
        return []

    def _column(self, compiler, name: str) -> str:
        return f"{compiler.quote_name(self.alias)}.{name}"

    def as_sql(self, compiler, connection):
        if not self.units:
            return "1 = 0", []
        col = self._column(compiler, "rowid")
        tokens = " OR ".join(f'"u{uuid.UUID(str(u)).hex}"' for u in self.units)
        fts = f"{self.table}_fts"
        return f"{col} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)", [f"{UNITS} : ({tokens})"]  # noqa: S608

    def as_postgresql(self, compiler, connection):
        return f"{self._column(compiler, UNITS)} && %s::uuid[]", [[uuid.UUID(str(u)) for u in self.units]]

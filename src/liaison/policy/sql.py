"""How the rules' id sets reach the database.

`id IN (subquery)` lets PostgreSQL pull the set up into a semi-join whose size it cannot estimate
(a UNION of several tables: it assumes 200 rows); at 1M items it then picked nested loops over
whole tables. `id = ANY(ARRAY(subquery))` computes the set once (an init plan) and probes the
primary key with it, which is the plan an officer's few thousand involved items want. SQLite keeps
`IN (subquery)`, which its planner already runs that way.
"""

from __future__ import annotations

from django.db.models import ForeignKey, Lookup, UUIDField


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

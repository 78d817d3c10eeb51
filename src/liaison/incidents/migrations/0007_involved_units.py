"""The units involved in each incident beside its searchable text (issue 15, decision 0023): the
unit that opened it, its active participants (lead, supporting, notified, escalated-to, named) and
the units assigned a task, as policy.rules.incidents' declaration lists them, kept by triggers
(core.search_schema, as intel 0008 did for items). The incident rule then reads the row itself
instead of a set of subqueries compiled for every request."""

from django.db import migrations

from liaison.core import search_schema

TABLE = "incidents_incident"
OWN = "opened_by_unit_id"
# (table, unit column, incident column[, the relation's condition]) for every relation of the
# declaration with rows of its own.
RELATED = [
    ("incidents_participant", "unit_id", "incident_id", "active"),
    ("incidents_task", "unit_id", "incident_id"),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        sql = search_schema.units_postgresql(TABLE, OWN, RELATED) + search_schema.units_postgresql_fill(
            TABLE, OWN
        )
    else:
        sql = search_schema.units_sqlite(TABLE, OWN, RELATED)
    for statement in sql:
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        sql = [f"DROP TRIGGER IF EXISTS {TABLE}_units_own ON {TABLE}"]
        for t, *_rest in RELATED:
            sql += [f"DROP TRIGGER IF EXISTS {t}_units_{e} ON {t}" for e in ("ins", "del", "upd")]
            sql.append(f"DROP FUNCTION IF EXISTS {t}_units_refresh()")
        sql += [
            f"DROP FUNCTION IF EXISTS {TABLE}_units_own()",
            f"DROP FUNCTION IF EXISTS {TABLE}_units_of(uuid, uuid)",
            f"DROP INDEX IF EXISTS {TABLE}_search_tsv",
            f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {search_schema.UNITS}",
            f"CREATE INDEX {TABLE}_search_tsv ON {TABLE} USING gin (search_tsv)",
        ]
    else:
        sql = search_schema.units_sqlite_drop(TABLE, RELATED)
    for statement in sql:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0006_briefing_indexes"), ("intel", "0008_search_units")]
    operations = [migrations.RunPython(forward, backward)]

"""The units involved in each item beside its searchable text (issue 13, decision 0020): the
originator, the recipients and the units asked to verify it, as policy.rules.intel's declaration
lists them, kept by triggers (core.search_schema). Search then intersects a frequent word with the
reader's units inside the index instead of testing every matching item against the policy."""

from django.db import migrations

from liaison.core import search_schema

TABLE = "intel_item"
OWN = "origin_unit_id"
# (table, unit column, item column) for every relation of the declaration with rows of its own.
RELATED = [("intel_itemreceipt", "unit_id", "item_id"), ("intel_verificationrequest", "unit_id", "item_id")]


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
        for t, _u, _r in RELATED:
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
    dependencies = [("intel", "0007_search_title_stems")]
    operations = [migrations.RunPython(forward, backward)]

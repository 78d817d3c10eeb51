"""The units involved in each patrol on its row (issue 15, decision 0023): its lead unit and every
participating unit, as policy.rules.patrols' declaration lists them, kept by triggers
(core.search_schema; a patrol has no searchable text, so the column has an index of its own: GIN on
PostgreSQL, an FTS5 table of the units alone on SQLite). The patrol rule, and through it the
check-ins, findings and coverage, then reads the row instead of subqueries compiled per request."""

from django.db import migrations

from liaison.core import search_schema

TABLE = "patrols_patrol"
OWN = "lead_unit_id"
# (table, unit column, patrol column) for every relation of the declaration with rows of its own.
RELATED = [("patrols_patrolunit", "unit_id", "patrol_id")]


def forward(apps, schema_editor):
    search_schema.units_install(schema_editor, TABLE, OWN, RELATED, text=False)


def backward(apps, schema_editor):
    search_schema.units_uninstall(schema_editor, TABLE, RELATED, text=False)


class Migration(migrations.Migration):
    dependencies = [("patrols", "0001_initial"), ("incidents", "0007_involved_units")]
    operations = [migrations.RunPython(forward, backward)]

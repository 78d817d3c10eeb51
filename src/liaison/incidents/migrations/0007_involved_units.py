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
    search_schema.units_install(schema_editor, TABLE, OWN, RELATED)


def backward(apps, schema_editor):
    search_schema.units_uninstall(schema_editor, TABLE, RELATED)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0006_briefing_indexes"), ("intel", "0008_search_units")]
    operations = [migrations.RunPython(forward, backward)]

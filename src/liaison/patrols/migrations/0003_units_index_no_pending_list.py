"""The GIN index every read of this table asks (the policy's involved units) keeps no pending list
(core.search_schema.index_without_pending_list: a burst of inserts made reads 10× dearer until the
list was merged; decision 0023)."""

from django.db import migrations

from liaison.core import search_schema

INDEX = "patrols_patrol_search_units"


def forward(apps, schema_editor):
    search_schema.index_without_pending_list(schema_editor, INDEX)


def backward(apps, schema_editor):
    search_schema.index_without_pending_list(schema_editor, INDEX, on=True)


class Migration(migrations.Migration):
    dependencies = [("patrols", "0002_involved_units")]
    operations = [migrations.RunPython(forward, backward)]

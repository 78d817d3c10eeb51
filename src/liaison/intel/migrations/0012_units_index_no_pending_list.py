"""The GIN index every read of this table asks (the policy's involved units) keeps no pending list
(core.search_schema.index_without_pending_list: a burst of inserts made reads 10× dearer until the
list was merged; decision 0023)."""

from django.db import migrations

from liaison.core import search_schema

INDEX = "intel_item_search_tsv"


def forward(apps, schema_editor):
    search_schema.index_without_pending_list(schema_editor, INDEX)


def backward(apps, schema_editor):
    search_schema.index_without_pending_list(schema_editor, INDEX, on=True)


class Migration(migrations.Migration):
    dependencies = [("intel", "0011_inbox_waiting")]
    operations = [migrations.RunPython(forward, backward)]

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
    search_schema.units_install(schema_editor, TABLE, OWN, RELATED)


def backward(apps, schema_editor):
    search_schema.units_uninstall(schema_editor, TABLE, RELATED)


class Migration(migrations.Migration):
    dependencies = [("intel", "0007_search_title_stems")]
    operations = [migrations.RunPython(forward, backward)]

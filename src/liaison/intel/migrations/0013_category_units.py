"""A category's list, newest first, tests the policy's rule from the index alone, as the unfiltered
list does (0010, decision 0021): the category's keys in date order carry the involved units, the
handling level and the drill flag. Measured at 1M items, the province commander's list of one
category and level: 284 ms through `item_category_received` (whose rows do not carry the units, so
80,464 rows were read from the table to be refused), 23 ms from this index (docs/performance.md).
PostgreSQL only (SQLite's rule is a set from the FTS5 units column)."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS item_category_units ON intel_item "
            "(category_id, received_at DESC, id DESC) INCLUDE (search_units, tlp, is_drill)",
            params=None,
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS item_category_units", params=None)


class Migration(migrations.Migration):
    dependencies = [("intel", "0012_units_index_no_pending_list")]
    operations = [migrations.RunPython(forward, backward)]

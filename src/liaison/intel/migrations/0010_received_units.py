"""The newest-first walk tests the policy's rule from the index alone (decision 0021): the item rule
reads `search_units` (decision 0020's column, not a model field), so the list's index carries it
with the handling level and the drill flag. PostgreSQL only (an index-only scan; SQLite's rule is
a set from the FTS5 units column)."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS item_received_units ON intel_item (received_at DESC, id DESC) "
            "INCLUDE (search_units, tlp, is_drill)",
            params=None,
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS item_received_units", params=None)


class Migration(migrations.Migration):
    dependencies = [("intel", "0009_briefing_indexes")]
    operations = [migrations.RunPython(forward, backward)]

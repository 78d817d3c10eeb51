"""On PostgreSQL every event row records the id of the transaction that wrote it (xid8), so a feed
can read only rows that no still-running transaction can overtake. SQLite writers are serialised
(IMMEDIATE transactions): ids commit in order there."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE core_event ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id()"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_event DROP COLUMN txid")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_event_eventaudience")]
    operations = [migrations.RunPython(forward, backward)]

"""References from sequences on PostgreSQL (decision 0010): each per-year counter becomes a
sequence that continues after its last number, so no reference repeats across the upgrade."""

from django.db import migrations


def counters_to_sequences(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from liaison.core.refs import sequence_name

    RefCounter = apps.get_model("core", "RefCounter")
    with schema_editor.connection.cursor() as c:
        for counter in RefCounter.objects.all():
            name = sequence_name(counter.prefix, counter.year)
            c.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")
            if counter.last:
                c.execute("SELECT setval(%s, %s)", [name, counter.last])


class Migration(migrations.Migration):
    dependencies = [("core", "0006_worker_heartbeat")]

    operations = [migrations.RunPython(counters_to_sequences, migrations.RunPython.noop)]

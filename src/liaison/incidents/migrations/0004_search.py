"""Incidents searchable like items (issue 13): title, description (the summary), type, place and
area names, indexed with the same normalisation (core.text) and the same engine per database
(core.search_schema)."""

from django.db import migrations, models

from liaison.core import search_schema

TABLE = "incidents_incident"


def forward(apps, schema_editor):
    from liaison.incidents.services.lifecycle import search_fields_of

    search_schema.drop(schema_editor, TABLE)
    search_schema.reindex(
        apps.get_model("incidents", "Incident"),
        search_fields_of,
        related=("incident_type", "area", "place"),
    )
    search_schema.install(schema_editor, TABLE)


def backward(apps, schema_editor):
    search_schema.drop(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0003_board_open_index")]
    operations = [
        migrations.AddField(
            model_name="incident", name="search_title", field=models.TextField(default="", editable=False)
        ),
        migrations.AddField(
            model_name="incident", name="search_text", field=models.TextField(default="", editable=False)
        ),
        migrations.AddField(
            model_name="incident", name="search_stems", field=models.TextField(default="", editable=False)
        ),
        migrations.RunPython(forward, backward),
    ]

"""Places searchable like items (issue 13): name, code and area name, indexed with the same
normalisation (core.text) and the same engine per database (core.search_schema)."""

from django.db import migrations, models

from liaison.core import search_schema
from liaison.core.text import search_fields

TABLE = "geo_place"


def fields_of(place) -> dict[str, str]:
    return search_fields(place.name, place.code, place.area.name if place.area_id else "")


def forward(apps, schema_editor):
    search_schema.drop(schema_editor, TABLE)
    search_schema.reindex(apps.get_model("geo", "Place"), fields_of, related=("area",))
    search_schema.install(schema_editor, TABLE)


def backward(apps, schema_editor):
    search_schema.drop(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("geo", "0002_initial")]
    operations = [
        migrations.AddField(
            model_name="place", name="search_title", field=models.TextField(default="", editable=False)
        ),
        migrations.AddField(
            model_name="place", name="search_text", field=models.TextField(default="", editable=False)
        ),
        migrations.AddField(
            model_name="place", name="search_stems", field=models.TextField(default="", editable=False)
        ),
        migrations.RunPython(forward, backward),
    ]

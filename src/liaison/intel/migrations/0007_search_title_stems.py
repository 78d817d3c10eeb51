"""Search by relevance (issue 13, decision 0013): the title and the English stems in their own
columns, the PostgreSQL tsvector weighted (title A, text B, stems C) and SQLite's FTS5 table over
the three columns with prefix indexes; every existing item re-indexed with the new normalisation
(Lao spelling variants folded, Lao text cut into syllables).

The columns are filled before the index is built: on PostgreSQL the generated column is dropped
first so that the re-index does not re-parse each row twice; on SQLite the triggers are dropped
first and the FTS5 table rebuilt once at the end.
"""

from django.db import migrations, models

from liaison.core import search_schema

TABLE = "intel_item"


def forward(apps, schema_editor):
    from liaison.intel.services.common import search_fields_of

    search_schema.drop(schema_editor, TABLE)
    search_schema.reindex(
        apps.get_model("intel", "Item"), search_fields_of, related=("category", "area", "place")
    )
    search_schema.install(schema_editor, TABLE)


def backward(apps, schema_editor):
    search_schema.drop(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("intel", "0006_drop_amber_widening"), ("geo", "0003_place_search")]
    operations = [
        migrations.AddField(
            model_name="item", name="search_title", field=models.TextField(default="", editable=False)
        ),
        migrations.AddField(
            model_name="item", name="search_stems", field=models.TextField(default="", editable=False)
        ),
        migrations.RunPython(forward, backward),
    ]

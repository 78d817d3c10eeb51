"""Full-text search over the normalised column with each database's own engine, and the default
taxonomy.

PostgreSQL: a GIN index over to_tsvector('simple', search_text), with the statistics target of
that expression raised to 1000 (with the default, a rare term at 1M rows took 2.7 s as the planner
walked the date index; with 1000, 0.4 ms). SQLite: an FTS5 table over the same column, kept in step
by triggers; `M*` in the token categories keeps Lao vowel and tone marks inside words.
"""

from django.db import migrations

PG = [
    "CREATE INDEX intel_item_search_gin ON intel_item USING gin (to_tsvector('simple'::regconfig, search_text))",
    "ALTER INDEX intel_item_search_gin ALTER COLUMN 1 SET STATISTICS 1000",
]
PG_BACK = ["DROP INDEX IF EXISTS intel_item_search_gin"]
SQLITE = [
    """CREATE VIRTUAL TABLE intel_item_fts USING fts5(search_text, content='intel_item', content_rowid='rowid',
         tokenize="unicode61 remove_diacritics 2 categories 'L* N* Co M*'")""",
    """CREATE TRIGGER intel_item_fts_ai AFTER INSERT ON intel_item BEGIN
         INSERT INTO intel_item_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END""",
    """CREATE TRIGGER intel_item_fts_ad AFTER DELETE ON intel_item BEGIN
         INSERT INTO intel_item_fts(intel_item_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END""",
    """CREATE TRIGGER intel_item_fts_au AFTER UPDATE OF search_text ON intel_item BEGIN
         INSERT INTO intel_item_fts(intel_item_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
         INSERT INTO intel_item_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END""",
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS intel_item_fts_ai",
    "DROP TRIGGER IF EXISTS intel_item_fts_ad",
    "DROP TRIGGER IF EXISTS intel_item_fts_au",
    "DROP TABLE IF EXISTS intel_item_fts",
]

# The default taxonomy (PRODUCT.md): events and crimes, never groups of people.
TAXONOMY = [
    ("drug_trafficking", "Ma túy", "Drug trafficking", "ຢາເສບຕິດ"),
    ("human_trafficking", "Mua bán người", "Human trafficking", "ການຄ້າມະນຸດ"),
    ("smuggling", "Buôn lậu, gian lận thương mại", "Smuggling and trade fraud", "ການລັກລອບຄ້າຂາຍ"),
    ("illegal_crossing", "Xuất nhập cảnh trái phép", "Illegal border crossing", "ການຂ້າມແດນຜິດກົດໝາຍ"),
    ("weapons_explosives", "Vũ khí, vật liệu nổ", "Weapons and explosives", "ອາວຸດ ແລະ ວັດຖຸລະເບີດ"),
    (
        "cyber_fraud",
        "Tội phạm công nghệ cao, lừa đảo qua mạng",
        "High-tech and cyber fraud",
        "ອາຊະຍາກຳທາງເຕັກໂນໂລຊີ",
    ),
    ("public_order", "Trật tự công cộng", "Public order", "ຄວາມສະຫງົບສາທາລະນະ"),
    ("natural_disaster", "Thiên tai (lũ ống, lũ quét, sạt lở)", "Natural disaster", "ໄພທຳມະຊາດ"),
    ("search_rescue", "Tìm kiếm cứu nạn", "Search and rescue", "ການຄົ້ນຫາ ແລະ ກູ້ໄພ"),
    ("other", "Khác", "Other", "ອື່ນໆ"),
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in PG if vendor == "postgresql" else SQLITE:
        schema_editor.execute(sql, params=None)
    Category = apps.get_model("intel", "Category")
    for pos, (code, vi, en, lo) in enumerate(TAXONOMY, start=1):
        Category.objects.get_or_create(
            code=code,
            defaults={"name_vi": vi, "name_en": en, "name_lo": lo, "state": "active", "position": pos * 10},
        )


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in PG_BACK if vendor == "postgresql" else SQLITE_BACK:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("intel", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

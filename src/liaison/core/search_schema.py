# ruff: noqa: S608  (the table names are the migrations' constants; no user text reaches this SQL)
"""The database side of search for one table (used by the migrations that install it).

A searchable table has three normalised text columns written by its services (core.text):
`search_title`, `search_text` and `search_stems`. On top of them:

- PostgreSQL: `search_tsv`, a stored generated tsvector, the title as weight A, the text as B, the
  stems as C (ts_rank_cd ranks the title above the text), with a GIN index; its statistics target
  raised to 1000 (decision 0002/0005: with the default the planner mis-estimated rare terms).
- SQLite: an external-content FTS5 table `<table>_fts` over the three columns, kept in step by
  triggers, with prefix indexes for one to three characters (search-as-you-type); `M*` in the token
  categories keeps Lao vowel and tone marks inside tokens.
"""

from __future__ import annotations

COLUMNS = ("search_title", "search_text", "search_stems")


def postgresql(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_tsv",
        f"ALTER TABLE {table} ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple'::regconfig, search_title), 'A') || "
        "setweight(to_tsvector('simple'::regconfig, search_text), 'B') || "
        "setweight(to_tsvector('simple'::regconfig, search_stems), 'C')) STORED",
        f"CREATE INDEX {table}_search_tsv ON {table} USING gin (search_tsv)",
        f"ALTER TABLE {table} ALTER COLUMN search_tsv SET STATISTICS 1000",
        f"ANALYZE {table}",
    ]


def sqlite_drop(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_fts_ai",
        f"DROP TRIGGER IF EXISTS {table}_fts_ad",
        f"DROP TRIGGER IF EXISTS {table}_fts_au",
        f"DROP TABLE IF EXISTS {table}_fts",
    ]


def sqlite(table: str) -> list[str]:
    cols = ", ".join(COLUMNS)
    new = ", ".join(f"new.{c}" for c in COLUMNS)
    old = ", ".join(f"old.{c}" for c in COLUMNS)
    fts = f"{table}_fts"
    return [
        *sqlite_drop(table),
        f"""CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='rowid',
             prefix='1 2 3', tokenize="unicode61 remove_diacritics 2 categories 'L* N* Co M*'")""",
        f"""CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN
             INSERT INTO {fts}(rowid, {cols}) VALUES (new.rowid, {new}); END""",
        f"""CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN
             INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.rowid, {old}); END""",
        f"""CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {table} BEGIN
             INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.rowid, {old});
             INSERT INTO {fts}(rowid, {cols}) VALUES (new.rowid, {new}); END""",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def install(schema_editor, table: str) -> None:
    sql = postgresql(table) if schema_editor.connection.vendor == "postgresql" else sqlite(table)
    for statement in sql:
        schema_editor.execute(statement, params=None)


def drop(schema_editor, table: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_tsv", params=None)
    else:
        for statement in sqlite_drop(table):
            schema_editor.execute(statement, params=None)


def reindex(model, fields_of, *, batch: int = 2000, related=()) -> None:
    """Recompute the three columns of every row of `model` (a migration's historical model)."""
    qs = model.objects.select_related(*related).order_by("pk")
    last = None
    while True:
        chunk = list((qs.filter(pk__gt=last) if last is not None else qs)[:batch])
        if not chunk:
            return
        for row in chunk:
            for k, v in fields_of(row).items():
                setattr(row, k, v)
        model.objects.bulk_update(chunk, list(COLUMNS), batch_size=500)
        last = chunk[-1].pk

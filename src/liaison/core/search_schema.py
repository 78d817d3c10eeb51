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


# --- the involved units beside the text (decision 0020) -------------------------------------------
# `search_units` holds the units involved in the record by any relation of its policy declaration
# (the originator's column and the rows of `related`), kept by triggers so that no writer can forget
# it. PostgreSQL: a uuid[] in the same GIN index as the tsvector, so that a frequent word is
# intersected with the reader's units inside the index; SQLite: "u<hex>" tokens in a fourth FTS5
# column that the user's words never reach (their expression is filtered to the three text columns).

UNITS = "search_units"


def _related(related) -> list[tuple[str, str, str, str]]:
    """(table, unit column, record column, condition): a relation's rows may carry a further
    condition on one boolean column of their own (an incident's participants: `active`); "" if none."""
    return [(t, u, r, rest[0] if rest else "") for t, u, r, *rest in related]


def _where(r: str, record: str, cond: str) -> str:
    return f"{r} = {record}" + (f" AND {cond}" if cond else "")


def units_postgresql(table: str, own: str, related: list[tuple[str, ...]]) -> list[str]:
    """`own`: the record's column naming a unit; `related`: (table, unit column, record column[,
    boolean condition column])."""
    related = _related(related)
    parts = " UNION ALL ".join(f"SELECT {u} FROM {t} WHERE {_where(r, 'rid', c)}" for t, u, r, c in related)
    fn = f"{table}_units_of"
    sql = [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {UNITS} uuid[] NOT NULL DEFAULT '{{}}'",
        f"""CREATE OR REPLACE FUNCTION {fn}(rid uuid, own uuid) RETURNS uuid[] LANGUAGE sql STABLE AS $$
              SELECT coalesce(array_agg(DISTINCT u ORDER BY u), '{{}}') FROM (
                SELECT own AS u UNION ALL {parts}) s WHERE u IS NOT NULL $$""",
        f"""CREATE OR REPLACE FUNCTION {table}_units_own() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN
                NEW.{UNITS} := {fn}(NEW.id, NEW.{own});
                RETURN NEW;
              END $$""",
        f"DROP TRIGGER IF EXISTS {table}_units_own ON {table}",
        f"""CREATE TRIGGER {table}_units_own BEFORE INSERT OR UPDATE OF {own} ON {table}
              FOR EACH ROW EXECUTE FUNCTION {table}_units_own()""",
    ]
    for t, _u, r, _c in related:
        refresh = (
            f"UPDATE {table} x SET {UNITS} = {fn}(x.id, x.{own}) WHERE x.id IN (SELECT {r} FROM %s) "
            f"AND x.{UNITS} IS DISTINCT FROM {fn}(x.id, x.{own});"
        )
        sql += [
            f"""CREATE OR REPLACE FUNCTION {t}_units_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
                  BEGIN
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN {refresh % "new_rows"} END IF;
                    IF TG_OP IN ('DELETE', 'UPDATE') THEN {refresh % "old_rows"} END IF;
                    RETURN NULL;
                  END $$""",
            f"DROP TRIGGER IF EXISTS {t}_units_ins ON {t}",
            f"DROP TRIGGER IF EXISTS {t}_units_del ON {t}",
            f"DROP TRIGGER IF EXISTS {t}_units_upd ON {t}",
            f"""CREATE TRIGGER {t}_units_ins AFTER INSERT ON {t} REFERENCING NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION {t}_units_refresh()""",
            f"""CREATE TRIGGER {t}_units_del AFTER DELETE ON {t} REFERENCING OLD TABLE AS old_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION {t}_units_refresh()""",
            f"""CREATE TRIGGER {t}_units_upd AFTER UPDATE ON {t}
                  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION {t}_units_refresh()""",
        ]
    return sql


def units_postgresql_fill(table: str, own: str, *, text: bool = True) -> list[str]:
    """Every row's units at once, and the tsvector's GIN index replaced by one over both columns
    (`text=False`, a table with no searchable text: a GIN index over the units alone)."""
    index = (
        [f"DROP INDEX IF EXISTS {table}_search_tsv"] if text else [f"DROP INDEX IF EXISTS {table}_{UNITS}"]
    )
    return [
        *index,
        f"UPDATE {table} SET {UNITS} = {table}_units_of(id, {own})",
        "SET LOCAL maintenance_work_mem = '256MB'",  # the index of 1M rows built in memory
        # no pending list: every read of the policy's rule asks this index (index_without_pending_list)
        f"CREATE INDEX {table}_search_tsv ON {table} USING gin (search_tsv, {UNITS}) WITH (fastupdate = off)"
        if text
        else f"CREATE INDEX {table}_{UNITS} ON {table} USING gin ({UNITS}) WITH (fastupdate = off)",
        f"ANALYZE {table}",
    ]


def units_sqlite(table: str, own: str, related: list[tuple[str, ...]], *, text: bool = True) -> list[str]:
    """The column, the triggers that keep it, and the FTS5 table rebuilt with it as a fourth column
    (`text=False`, a table with no searchable text: an FTS5 table of the units' column alone).
    A row is in the FTS5 table exactly when its units are set: the insert trigger sets them, and
    that update indexes the row. A record with no unit involved yet (an incident opened by the
    system, before its lead's participation is written) holds "-", which is set but no token."""
    related = _related(related)

    # Always evaluated inside an UPDATE of the record's own row: its columns are the row's.
    parts = " UNION ".join(
        f"SELECT {u} FROM {t} WHERE {_where(r, f'{table}.id', c)}" for t, u, r, c in related
    )
    units = (
        f"(SELECT coalesce(group_concat('u' || u, ' '), '-') FROM (SELECT {table}.{own} AS u "
        f"UNION {parts} ORDER BY 1) WHERE u IS NOT NULL)"
    )

    cols = (*COLUMNS, UNITS) if text else (UNITS,)
    names = ", ".join(cols)
    new = ", ".join(f"new.{c}" for c in cols)
    old = ", ".join(f"old.{c}" for c in cols)
    fts = f"{table}_fts"
    sql = [
        *sqlite_drop(table),
        f"ALTER TABLE {table} ADD COLUMN {UNITS} text NOT NULL DEFAULT ''",
        f"UPDATE {table} SET {UNITS} = {units}",
        f"""CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', content_rowid='rowid',
             {"prefix='1 2 3', " if text else ""}tokenize="unicode61 remove_diacritics 2 categories 'L* N* Co M*'")""",
        f"""CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN
             UPDATE {table} SET {UNITS} = {units} WHERE rowid = new.rowid; END""",
        f"""CREATE TRIGGER {table}_units_own AFTER UPDATE OF {own} ON {table} BEGIN
             UPDATE {table} SET {UNITS} = {units} WHERE rowid = new.rowid AND {UNITS} IS NOT {units};
             END""",
        f"""CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} WHEN old.{UNITS} <> '' BEGIN
             INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.rowid, {old}); END""",
        f"""CREATE TRIGGER {fts}_af AFTER UPDATE OF {names} ON {table} WHEN old.{UNITS} = '' BEGIN
             INSERT INTO {fts}(rowid, {names}) VALUES (new.rowid, {new}); END""",
        f"""CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {table} WHEN old.{UNITS} <> '' BEGIN
             INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.rowid, {old});
             INSERT INTO {fts}(rowid, {names}) VALUES (new.rowid, {new}); END""",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]
    for t, u, r, c in related:
        for event, row in (("ai", "new"), ("ad", "old")):
            sql.append(
                f"""CREATE TRIGGER {t}_units_{event} AFTER {"INSERT" if event == "ai" else "DELETE"} ON {t}
                 BEGIN UPDATE {table} SET {UNITS} = {units} WHERE id = {row}.{r} AND {UNITS} IS NOT {units};
                 END"""
            )
        sql.append(
            f"""CREATE TRIGGER {t}_units_au AFTER UPDATE OF {", ".join(filter(None, (u, r, c)))} ON {t} BEGIN
             UPDATE {table} SET {UNITS} = {units} WHERE id = old.{r} AND {UNITS} IS NOT {units};
             UPDATE {table} SET {UNITS} = {units} WHERE id = new.{r} AND {UNITS} IS NOT {units};
             END"""
        )
    return sql


def units_sqlite_drop(table: str, related: list[tuple[str, ...]], *, text: bool = True) -> list[str]:
    out = [f"DROP TRIGGER IF EXISTS {table}_units_own", f"DROP TRIGGER IF EXISTS {table}_fts_af"]
    for t, *_rest in related:
        out += [f"DROP TRIGGER IF EXISTS {t}_units_{e}" for e in ("ai", "ad", "au")]
    restore = sqlite(table) if text else []
    return [*out, *sqlite_drop(table), f"ALTER TABLE {table} DROP COLUMN {UNITS}", *restore]


def units_install(
    schema_editor, table: str, own: str, related: list[tuple[str, ...]], *, text: bool = True
) -> None:
    """A migration's forward step: the column, its triggers and (PostgreSQL) every row's units and
    the GIN index over the text and the units (`text=False`: a table with no searchable text)."""
    if schema_editor.connection.vendor == "postgresql":
        sql = units_postgresql(table, own, related) + units_postgresql_fill(table, own, text=text)
    else:
        sql = units_sqlite(table, own, related, text=text)
    for statement in sql:
        schema_editor.execute(statement, params=None)


def units_uninstall(schema_editor, table: str, related: list[tuple[str, ...]], *, text: bool = True) -> None:
    """A migration's backward step: the triggers, the functions and the column gone, the text's
    index as it was before."""
    if schema_editor.connection.vendor == "postgresql":
        sql = [f"DROP TRIGGER IF EXISTS {table}_units_own ON {table}"]
        for t, *_rest in related:
            sql += [f"DROP TRIGGER IF EXISTS {t}_units_{e} ON {t}" for e in ("ins", "del", "upd")]
            sql.append(f"DROP FUNCTION IF EXISTS {t}_units_refresh()")
        sql += [
            f"DROP FUNCTION IF EXISTS {table}_units_own()",
            f"DROP FUNCTION IF EXISTS {table}_units_of(uuid, uuid)",
            f"DROP INDEX IF EXISTS {table}_search_tsv" if text else f"DROP INDEX IF EXISTS {table}_{UNITS}",
            f"ALTER TABLE {table} DROP COLUMN IF EXISTS {UNITS}",
        ]
        if text:
            sql.append(f"CREATE INDEX {table}_search_tsv ON {table} USING gin (search_tsv)")
    else:
        sql = units_sqlite_drop(table, related, text=text)
    for statement in sql:
        schema_editor.execute(statement, params=None)


# Indexes that every read of their table asks (the policy's `search_units && $1`, decision 0021/0023)
# keep no GIN pending list: with `fastupdate` on, a burst of inserts sits in an unsorted list that
# every search must read, until a vacuum or the list's 4 MB limit merges it. Measured at 100k items
# after 4,777 creates: the post officer's list cost 17–20 ms of database per request instead of
# 1.8 ms (the planner left the index for a walk of the date index); without the list, creates went
# from 181–211/s to 255/s and the list stayed at 1.8 ms (docs/performance.md).
def index_without_pending_list(schema_editor, index: str, *, on: bool = False) -> None:
    """For the indexes built before `units_postgresql_fill` made them so (and back, `on=True`)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = {'on' if on else 'off'})", params=None)
    if not on:
        schema_editor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)", params=None)

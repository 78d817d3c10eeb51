"""Search: one parser of what officers type, compiled for both databases, ranked, highlighted.

Syntax (as web search engines): words must all match; `"quoted words"` match as a phrase;
`-word` or `-"a phrase"` excludes; `OR` (capitals) between two terms accepts either; anything else
is a word (punctuation separates words, `or` in lower case is a word). The last word of the query
also matches as a prefix (`Mườ`, `na m`: search-as-you-type). An English word also matches its
Snowball stem (`shipments` finds `shipment`); an unaccented word that reads as Vietnamese syllables
typed without spaces also matches them as a phrase (`muonglat` finds `Mường Lát`). A word of
several Lao syllables is a phrase of its syllables (see core.text).

The same `Query` compiles to an FTS5 MATCH expression (SQLite) and to a tsquery (PostgreSQL), over
the same normalised columns: `search_title`, `search_text`, `search_stems` (core.text). The rank is
lower-is-better on both: FTS5 `bm25()` with the title weighted above the text, and minus
PostgreSQL's `ts_rank()` of all the words searched for, the title as weight A and the text as B.
"""

from __future__ import annotations

import math
import re
import time
import uuid
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from liaison.core import text
from liaison.core.errors import Invalid
from liaison.core.inputs import CONTROL_MESSAGE, control_character
from liaison.core.search_schema import COLUMNS, UNITS

# Bounds that keep one query's cost bounded whatever is typed.
MAX_TERMS = 16
# Which words match as prefixes ("last", "all", "none") and whether unaccented words are also read
# as Vietnamese syllables typed without spaces: decision 0013 (bench/search.py measures each).
PREFIX = "last"
SPLIT_VIETNAMESE = True
# Whether `matching` narrows by the reader's units inside the index (decision 0020); off only to
# measure the old plan beside the new one (bench/search.py, mode "wide").
NARROW_BY_UNITS = True
# A prefix this short is tested on the rows the other words found, not in PostgreSQL's GIN index.
SHORT_PREFIX = 2
# FTS5 bm25 column weights (title, text, stems) and PostgreSQL ts_rank weights {D, C, B, A}:
# title A, text B, stems C.
FTS5_WEIGHTS = "10.0, 4.0, 1.0"
PG_WEIGHTS = "{0.05, 0.2, 0.4, 1.0}"

NOTHING_MESSAGE = _("Nothing to search for: type at least one word or number.")


class NothingSearchable(Invalid):
    def __init__(self, field_name: str = "q") -> None:
        super().__init__(field=field_name, code="nothing_searchable", message=str(NOTHING_MESSAGE))


@dataclass(frozen=True)
class Phrase:
    tokens: tuple[str, ...]
    prefix: bool = False  # the last token matches as a prefix

    def fts5(self) -> str:
        return '"' + " ".join(self.tokens) + '"' + (" *" if self.prefix else "")

    def tsquery(self) -> str:
        parts = ["'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in self.tokens]
        if self.prefix:
            parts[-1] += ":*"
        return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"


@dataclass
class Query:
    clauses: list[tuple[Phrase, ...]] = field(default_factory=list)  # AND of alternatives (OR)
    excluded: list[Phrase] = field(default_factory=list)

    def fts5(self) -> str:
        expr = " AND ".join("(" + " OR ".join(p.fts5() for p in c) + ")" for c in self.clauses)
        if self.excluded:
            expr = f"({expr}) NOT (" + " OR ".join(p.fts5() for p in self.excluded) + ")"
        return expr

    def tsquery(self) -> str:
        expr = " & ".join("(" + " | ".join(p.tsquery() for p in c) + ")" for c in self.clauses)
        for p in self.excluded:
            expr += " & !" + p.tsquery()
        return expr

    def index_tsquery(self, common=None) -> str | None:
        """The part of `tsquery()` worth asking the GIN index (PostgreSQL), when it differs: the
        clauses without a prefix of one or two letters (`ma t`: `'t':*` merges the posting lists
        of every word that starts with t, 0.3 s at 100k items; decision 0021), nor a prefix that
        `common(prefix)` says starts words found in many rows (`ma tuy`: `'tuy':*` reads all of
        `tuyen`'s, 4× the query's cost). The rows it finds are a superset, tested against the
        whole query on the row. None: ask the whole query."""

        def on_rows(p: Phrase) -> bool:
            return p.prefix and (len(p.tokens[-1]) <= SHORT_PREFIX or bool(common and common(p.tokens[-1])))

        kept = [c for c in self.clauses if not any(on_rows(p) for p in c)]
        if not kept or len(kept) == len(self.clauses):
            return None
        return " & ".join("(" + " | ".join(p.tsquery() for p in c) + ")" for c in kept)

    def rank_tsquery(self) -> str:
        """Every word searched for, OR'd: what PostgreSQL ranks by."""
        terms: dict[str, None] = {}
        for clause in self.clauses:
            for p in clause:
                for i, t in enumerate(p.tokens):
                    prefix = p.prefix and i == len(p.tokens) - 1
                    terms.setdefault("'" + t.replace("'", "''") + "'" + (":*" if prefix else ""), None)
        return " | ".join(terms)

    @property
    def words(self) -> tuple[set[str], tuple[str, ...]]:
        """Tokens to highlight: exact ones and prefixes."""
        exact: set[str] = set()
        prefixes: list[str] = []
        for clause in self.clauses:
            for p in clause:
                exact.update(p.tokens[:-1] if p.prefix else p.tokens)
                if p.prefix:
                    prefixes.append(p.tokens[-1])
        return exact, tuple(prefixes)


# A quoted phrase (an unclosed quote runs to the end), or a run of anything but spaces and quotes;
# either may carry a leading minus.
_TERM = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


def _word_alternatives(toks: list[str], prefix: bool, split: bool) -> tuple[Phrase, ...]:
    alts = [Phrase(tuple(toks), prefix)]
    if len(toks) == 1:
        tok = toks[0]
        s = text.stem(tok)
        if s != tok:
            alts.append(Phrase((s,)))
        for cut in text.vietnamese_splits(tok) if split else ():
            alts.append(Phrase(cut, prefix))
    return tuple(alts)


def parse(q: str, *, field_name: str = "q", prefix: str | None = None, split: bool | None = None) -> Query:
    """The query of `q`, or `Invalid` naming the field: control characters; nothing searchable (no
    word left once punctuation, lone marks and exclusions are set aside). `prefix` is "last" (the
    last word typed), "all" (every word) or "none"; by default `PREFIX` and `SPLIT_VIETNAMESE`."""
    prefix = PREFIX if prefix is None else prefix
    split = SPLIT_VIETNAMESE if split is None else split
    if control_character(q or ""):
        raise Invalid(field=field_name, code="control_character", message=str(CONTROL_MESSAGE))
    raw: list[tuple[bool, bool, list[str]]] = []  # (negated, quoted, tokens) or an OR marker
    ors: set[int] = set()
    for m in _TERM.finditer(q or ""):
        if m.group(2) is not None:
            neg, quoted, body = m.group(1) == "-", True, m.group(2)
        else:
            neg, quoted, body = m.group(3) == "-", False, m.group(4)
            if body == "OR" and not neg:
                ors.add(len(raw))
                continue
        toks = text.tokens(body)
        if toks:
            raw.append((neg, quoted, toks))
    raw = raw[:MAX_TERMS]
    last_word = max((i for i, (neg, quoted, _t) in enumerate(raw) if not neg and not quoted), default=-1)
    query = Query()
    for i, (neg, quoted, toks) in enumerate(raw):
        if neg:
            query.excluded.append(Phrase(tuple(toks)))
            continue
        if quoted:
            alts: tuple[Phrase, ...] = (Phrase(tuple(toks)),)
        else:
            pre = prefix == "all" or (prefix == "last" and i == last_word and i == len(raw) - 1)
            # A lone one-letter query is a word, not the start of every word (it would rank the
            # whole table, 1.9 s at 100k items on SQLite); after other words it is a prefix (`na m`).
            if pre and len(raw) == 1 and len(toks) == 1 and len(toks[0]) == 1:
                pre = False
            alts = _word_alternatives(toks, pre, split)
        # `a OR b`: the OR marker sits before b's index; join b to the clause before it.
        if i in ors and query.clauses:
            query.clauses[-1] = query.clauses[-1] + alts
        else:
            query.clauses.append(alts)
    if not query.clauses:
        raise NothingSearchable(field_name)
    return query


# --- SQL ------------------------------------------------------------------------------------------


def matching(qs, query: Query, *, table: str, audience: list | None = None):
    """`qs` (already filtered by policy, over `table`) narrowed to the matches of `query`, each row
    annotated with `search_rank` (lower is better) from each database's own engine.

    `audience` (policy.audience: units of which one is involved in every row the reader may see)
    narrows inside the text index itself, on tables that keep their involved units beside the text
    (core.search_schema `search_units`): a frequent word is then intersected with the reader's
    units before any row is read, and the policy's exact rule in `qs` decides on the few rows left
    (decision 0020). It only ever removes rows the policy would remove too."""
    if not NARROW_BY_UNITS:
        audience = None
    if audience is not None and not audience:
        return qs.none().annotate(search_rank=RawSQL("0.0", [], output_field=FloatField()))  # noqa: S611
    if connection.vendor == "postgresql":
        # A common prefix is tested on the rows only where the index narrows them to the reader's
        # units: without that narrowing the other words alone can name a tenth of the table.
        tsq = query.tsquery()
        index_tsq = query.index_tsquery(common_prefix(table) if audience is not None else None)
        if index_tsq is None:
            match, params = f"{table}.search_tsv @@ to_tsquery('simple'::regconfig, %s)", [tsq]
        else:
            # The function form of @@ is not offered to the index: the short prefix is a test on
            # the rows the rest of the query found there.
            match = (
                f"{table}.search_tsv @@ to_tsquery('simple'::regconfig, %s) AND "
                f"ts_match_vq({table}.search_tsv, to_tsquery('simple'::regconfig, %s))"
            )
            params = [index_tsq, tsq]
        qs = qs.filter(RawSQL(match, params, output_field=BooleanField()))  # noqa: S611
        if audience is not None:
            qs = qs.filter(
                RawSQL(  # noqa: S611
                    f"{table}.{UNITS} && %s::uuid[]", [list(audience)], output_field=BooleanField()
                )
            )
        # ts_rank of every searched word OR'd: each word's weighted frequency (title above text above
        # stems), averaged over the words, with no bonus for words that sit close together
        # (ts_rank_cd's cover density ranked a passing "… Na Mèo. <other word>" above a title);
        # like BM25 without IDF. One call: the row's tsvector is decompressed once.
        return qs.annotate(
            search_rank=RawSQL(  # noqa: S611
                f"-ts_rank('{PG_WEIGHTS}'::float4[], {table}.search_tsv, "
                "to_tsquery('simple'::regconfig, %s))::float8",
                [query.rank_tsquery()],
                output_field=FloatField(),
            )
        )
    fts = f"{table}_fts"
    # The words reach the three text columns only, never the units' tokens.
    expr = "{" + " ".join(COLUMNS) + "} : (" + query.fts5() + ")"
    weights = FTS5_WEIGHTS
    if audience is not None:
        expr += f" AND {UNITS} : (" + " OR ".join(f'"u{uuid.UUID(str(u)).hex}"' for u in audience) + ")"
        weights += ", 0.0"  # the units' column adds nothing to the rank
    qs = qs.extra(  # noqa: S610
        tables=[fts], where=[f"{fts}.rowid = {table}.rowid", f"{fts} MATCH %s"], params=[expr]
    )
    return qs.annotate(search_rank=RawSQL(f"bm25({fts}, {weights})", [], output_field=FloatField()))  # noqa: S611


# A prefix whose words are in this share of a table's rows or more is tested on the rows the other
# words found (PostgreSQL), by the table's own statistics of its text column (ANALYZE's most common
# lexemes, read again every COMMON_SECONDS).
COMMON_PREFIX = 0.02
COMMON_SECONDS = 600.0
_common: dict[str, tuple[float, dict[str, float]]] = {}


def common_lexemes(table: str) -> dict[str, float]:
    """The table's most common lexemes of `search_tsv` and the share of rows holding each, as
    PostgreSQL's statistics last saw them (empty before the first ANALYZE)."""
    now = time.monotonic()
    kept = _common.get(table)
    if kept is not None and now - kept[0] < COMMON_SECONDS:
        return kept[1]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = %s AND attname = 'search_tsv'",
            [table],
        )
        row = cur.fetchone()
    lexemes = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
    _common[table] = (now, lexemes)
    return lexemes


def common_prefix(table: str):
    """Is a prefix the start of words found in at least COMMON_PREFIX of the table's rows? (The sum
    of its common words' shares: the posting lists its expansion reads, in rows.)"""
    lexemes = common_lexemes(table)

    def common(prefix: str) -> bool:
        shares = [f for w, f in lexemes.items() if w.startswith(prefix)]
        return sum(shares) >= COMMON_PREFIX

    return common


def finite(value: float) -> bool:
    return math.isfinite(value)


# --- highlighting ---------------------------------------------------------------------------------
_DISPLAY_TOKEN = re.compile(
    r"[\u0e81-\u0eae\u0eb0-\u0ec5\u0ec8-\u0ecd\u0ed0-\u0ed9\u0edc-\u0edf]+|[^\W_\u0e80-\u0eff]+"
)


def _hit(tok: str, exact: set[str], prefixes: tuple[str, ...]) -> bool:
    for t in text.tokens(tok):
        if t in exact or text.stem(t) in exact or any(t.startswith(p) for p in prefixes):
            return True
    return False


def highlight(value: str, query: Query | None) -> SafeString:
    """`value` escaped, with the words that match the query in <mark>."""
    if not value:
        return mark_safe("")
    if query is None:
        return escape(value)
    exact, prefixes = query.words
    exact = exact | {text.stem(t) for t in exact}
    import unicodedata

    value = unicodedata.normalize("NFC", value)
    out: list[str] = []
    pos = 0
    for m in _DISPLAY_TOKEN.finditer(value):
        tok = m.group(0)
        pieces = [tok]
        if text._LAO.match(tok):
            pieces = _lao_pieces(tok)
        out.append(escape(value[pos : m.start()]))
        for piece in pieces:
            out.append(f"<mark>{escape(piece)}</mark>" if _hit(piece, exact, prefixes) else escape(piece))
        pos = m.end()
    out.append(escape(value[pos:]))
    return mark_safe("".join(out))  # noqa: S308


def _lao_pieces(run: str) -> list[str]:
    """A Lao run cut into syllables as written (not folded), covering the whole run."""
    pieces = list(text.lao_syllables(run))
    return pieces if "".join(pieces) == run else [run]

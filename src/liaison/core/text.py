"""Text normalisation for search, the one place where index and query meet.

Both the indexed columns and the query go through `tokens()`, so whatever is folded here is folded
on both sides:

- **Latin** (Vietnamese, English): lower-case; diacritics stripped ("Mường Lát" -> "muong lat");
  đ/Đ folded to d (no database folds đ: it has no Unicode decomposition).
- **Lao**: the spelling variants that Unicode normalisation leaves apart are folded to one form
  (`fold_lao`, table `LAO_VARIANTS`); Lao digits become ASCII digits; then every Lao run is cut
  into **syllables** (laonlp's syllable tokenizer, after Phissamay et al., "Syllabification of Lao
  Script for Line Breaking"). A Lao word of several syllables is then searched as a phrase of its
  syllables, so a part of a compound (ຫົວພັນ in ແຂວງຫົວພັນ) is found whether or not its author put a
  space, and however laonlp's dictionary would have cut it.
- **English**: `stems()` gives the Snowball (Porter 2) stems of the Latin words that differ from the
  word itself, indexed in their own column and OR'd in at query time (`shipments` finds
  `shipment`). Vietnamese syllables are almost never changed by the English stemmer, so the column
  stays small.

Every token is a run of letters, digits and (Lao) marks; punctuation separates tokens.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# --- Lao spelling variants ------------------------------------------------------------------------
# The same word written two ways (Richard Ishida, "Lao orthography notes",
# https://r12a.github.io/scripts/laoo/lo.html; The Unicode Standard, ch. 16.3 "Lao"):
# - SARA AM ຳ (U+0EB3) is also typed as NIGGAHITA ໍ + AA າ, and a tone mark may be typed before or
#   after the niggahita (ນໍ້າ, ນ້ໍາ, ນ້ຳ) or after the ຳ (ນຳ້). NFC/NFKD keep these apart.
# - The ligatures ໜ (U+0EDC), ໝ (U+0EDD) and HO + SEMIVOWEL LO ຫຼ are also written with two letters,
#   ຫນ, ຫມ, ຫລ (the older, and still common, form).
# - LO LING ຣ (U+0EA3) was replaced by LO LOOT ລ (U+0EA5) in the post-1975 spelling (ອາເມຣິກາ /
#   ອາເມລິກາ); both are met in print, so both fold to ລ.
# # - The order of a tone mark and the vowel sign it sits with, and the tone mark of a cluster with ວ
#   (ກວ່າ / ກ່ວາ): both orders render alike and both are typed.
# The folded form is the one laonlp's dictionaries use most (ໜ, ໝ, ຫຼ, ຳ after the tone mark).
_TONE = "[\u0ec8-\u0ecb]"
LAO_VARIANTS: list[tuple[str, str, str]] = [
    # (pattern, replacement, example)
    (f"\u0ecd({_TONE}?)\u0eb2", "\\1\u0eb3", "ນໍ້າ -> ນ້ຳ, ນໍາ -> ນຳ"),
    (f"({_TONE})\u0ecd\u0eb2", "\\1\u0eb3", "ນ້ໍາ -> ນ້ຳ"),
    (f"\u0eb3({_TONE})", "\\1\u0eb3", "ນຳ້ -> ນ້ຳ"),
    ("\u0eab\u0e99", "\u0edc", "ຫນ -> ໜ"),
    ("\u0eab\u0ea1", "\u0edd", "ຫມ -> ໝ"),
    ("\u0eab[\u0ea5\u0ea3]", "\u0eab\u0ebc", "ຫລ, ຫຣ -> ຫຼ"),
    ("\u0ea3", "\u0ea5", "ຣ -> ລ"),
    # A tone mark typed before an upper or lower vowel sign it sits with (ທ່ີ for ທີ່): renderers
    # stack both the same way, so both orders are met.
    (f"({_TONE})([\u0eb1\u0eb4-\u0eb9\u0ebb\u0ecd])", "\\2\\1", "ທ່ີ -> ທີ່"),
    # In a cluster with WO the tone mark sits on the WO (ກວ່າ); it is also typed on the first
    # consonant (ກ່ວາ, as in print).
    (f"([\u0e81-\u0eae])({_TONE})\u0ea7([\u0eb2\u0eb0])", "\\1\u0ea7\\2\\3", "ກ່ວາ -> ກວ່າ"),
]
_LAO_VARIANTS = [(re.compile(p), r) for p, r, _ in LAO_VARIANTS]
_LAO_DIGITS = str.maketrans("໐໑໒໓໔໕໖໗໘໙", "0123456789")
# Zero-width characters some Lao keyboards and editors put between words.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

# A token: a Lao run, or a run of other letters/digits (with their combining marks).
_TOKEN = re.compile(
    r"[\u0e81-\u0eae\u0eb0-\u0ec5\u0ec8-\u0ecd\u0ed0-\u0ed9\u0edc-\u0edf]+|[^\W_\u0e80-\u0eff]+"
)
_LAO = re.compile(r"[\u0e80-\u0eff]")


def _is_latin(ch: str) -> bool:
    return ch.isascii() or "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff"


def fold_latin(text: str) -> str:
    """Strip combining marks that sit on Latin letters; leave other scripts' marks alone."""
    out: list[str] = []
    base_latin = False
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            if base_latin:
                continue
        else:
            base_latin = _is_latin(ch)
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).replace("đ", "d").replace("Đ", "D")


def fold_lao(text: str) -> str:
    """One spelling for the Lao variants of `LAO_VARIANTS`, and ASCII digits."""
    for pattern, repl in _LAO_VARIANTS:
        text = pattern.sub(repl, text)
    return text.translate(_LAO_DIGITS)


def fold(text: str) -> str:
    """Case, Latin diacritics, đ, Lao variants and invisible characters folded; not yet cut."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    text = fold_latin(text).lower()
    if _LAO.search(text):
        text = fold_lao(text)
    return text


@lru_cache(maxsize=8192)
def lao_syllables(run: str) -> tuple[str, ...]:
    """The syllables of a (folded) Lao run. Text that laonlp's syllable pattern does not recognise
    is kept as a token of its own rather than dropped (its `syllable_tokenize` drops it)."""
    from laonlp.tokenize.syllable import SYLLABLE_REGEX

    out: list[str] = []
    pos = 0
    for m in SYLLABLE_REGEX.finditer(run):
        if m.start() > pos:
            out.append(run[pos : m.start()])
        out.append(m.group(0))
        pos = m.end()
    if pos < len(run):
        out.append(run[pos:])
    return tuple(t for t in out if t.strip())


def tokens(text: str) -> list[str]:
    """The searchable tokens of a text, in order (index and query alike)."""
    if not text:
        return []
    out: list[str] = []
    for m in _TOKEN.finditer(fold(text)):
        tok = m.group(0)
        if _LAO.match(tok):
            out.extend(lao_syllables(tok))
        else:
            out.append(tok)
    return out


def normalise(text: str) -> str:
    """The searchable form of a text: its tokens separated by spaces."""
    return " ".join(tokens(text))


# --- English stems ------------------------------------------------------------------------------
_ASCII_WORD = re.compile(r"^[a-z]{4,}$")


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=16384)
def stem(token: str) -> str:
    """The English stem of a Latin token of four letters or more; the token itself otherwise."""
    if not _ASCII_WORD.match(token):
        return token
    return _stemmer().stemWord(token)


def stems(toks: list[str]) -> str:
    """The stems that differ from their token, once each, for the stems column."""
    seen: dict[str, None] = {}
    for t in toks:
        s = stem(t)
        if s != t:
            seen.setdefault(s, None)
    return " ".join(seen)


# --- Vietnamese syllables typed without spaces ------------------------------------------------------
# An unaccented Vietnamese syllable: initial consonant, vowel nucleus, final. Loose on purpose
# (it only proposes splits of a query word; the index decides what exists).
_VI_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|nh|ng|[cmnpt])?"
)


@lru_cache(maxsize=4096)
def vietnamese_splits(word: str, limit: int = 3) -> tuple[tuple[str, ...], ...]:
    """Ways to read an ASCII word as 2–4 unaccented Vietnamese syllables ("muonglat" ->
    ("muong", "lat")), fewest syllables first; empty when the word is one syllable or cannot be cut."""
    if not word.isascii() or not word.isalpha() or len(word) < 4 or _VI_SYLLABLE.fullmatch(word):
        return ()
    found: list[tuple[str, ...]] = []

    def walk(rest: str, acc: tuple[str, ...]) -> None:
        if len(acc) > 4 or len(found) >= 20:
            return
        if not rest:
            if len(acc) >= 2:
                found.append(acc)
            return
        for end in range(len(rest), 0, -1):
            if _VI_SYLLABLE.fullmatch(rest[:end]):
                walk(rest[end:], (*acc, rest[:end]))

    walk(word, ())
    if not found:
        return ()
    fewest = min(len(f) for f in found)
    return tuple(f for f in found if len(f) == fewest)[:limit]


def search_fields(title: str, *texts: str | None) -> dict[str, str]:
    """The three indexed columns of a searchable record (core.search_schema): its title, the rest of
    its searchable text, and the English stems of both."""
    title_toks = tokens(title or "")
    text_toks = tokens(" ".join(t for t in texts if t))
    return {
        "search_title": " ".join(title_toks),
        "search_text": " ".join(text_toks),
        "search_stems": stems(title_toks + text_toks),
    }


def in_language(vi: str, en: str = "", lo: str = "") -> str:
    """A name kept in the three languages, in the reader's (the active language): Lao falls back to
    English, English to Vietnamese, never the other way round to Vietnamese inside a Lao page unless
    nothing else exists."""
    from django.utils.translation import get_language

    lang = (get_language() or "vi")[:2]
    if lang == "lo":
        return lo or en or vi
    if lang == "en":
        return en or vi
    return vi or en

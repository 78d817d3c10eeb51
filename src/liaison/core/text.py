"""Text normalisation for search: one normalised column that both databases index.

Lower-case; Latin diacritics stripped ("Mường Lát" -> "muong lat"); đ/Đ folded to d in Python (no
database folds đ: it has no Unicode decomposition); Lao text segmented into words with laonlp
(Lao is written without spaces between words), keeping its vowel and tone marks.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LAO = re.compile(r"[\u0E80-\u0EFF]+")
_SPACE = re.compile(r"\s+")


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


@lru_cache(maxsize=4096)
def _segment_lao_run(run: str) -> str:
    from laonlp.tokenize import word_tokenize

    return " ".join(t for t in word_tokenize(run) if t.strip())


def segment_lao(text: str) -> str:
    return _LAO.sub(lambda m: " " + _segment_lao_run(m.group(0)) + " ", text)


def normalise(text: str) -> str:
    """The searchable form of a text (used for the indexed column and for queries alike)."""
    if not text:
        return ""
    folded = fold_latin(text).lower()
    folded = segment_lao(folded)
    return _SPACE.sub(" ", folded).strip()


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

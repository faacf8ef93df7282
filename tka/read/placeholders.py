"""Placeholders: what clerks type into a cell that has no value yet ("belum ada", "-", "dalam proses", "0").

A placeholder is a missing value, never a value: a passport column full of "BELUM ADA" must not make one
person of everybody who has no passport yet. Words come from ``config/reference.yaml: placeholder_words``; the
shape tests below catch the cousins no list has (any identifier without a digit, a run of one character).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Fields whose cells may hold a placeholder; the reader empties such a cell and keeps the text in F_placeholder.
IDENTIFIER_FIELDS: tuple[str, ...] = ("passport_no", "kitas_no", "notifikasi_no", "rptka_no", "company_nib")
MIN_IDENTIFIER_LENGTH = 5  # the shortest real document number seen is 6 characters (PHL P123456)
_NON_ALNUM = re.compile(r"[\W_]+")


def text_key(text: str) -> str:
    """Casefolded letters and digits of ``text``, accents removed ("Belum  Ada." -> "belumada")."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return _NON_ALNUM.sub("", "".join(c for c in folded if not unicodedata.combining(c)))


@lru_cache(maxsize=16)
def _word_keys(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(k for w in words if w is not None and (k := text_key(str(w))))


def is_placeholder(text: str | None, words: Iterable[str] = ()) -> bool:
    """True when ``text`` means "no value": a listed word (whole cell or a listed word plus filler), a cell
    without letters or digits, a run of one repeated character ("xxx", "000000")."""
    if text is None:
        return False
    key = text_key(text)
    if not key:
        return True  # only punctuation: "-", "--", "/", "?", "..."
    if len(set(key)) == 1 and (len(key) >= 2 or key in {"0", "x"}):
        return True  # "0", "00000", "xxx", "XXXXXXXX"
    listed = _word_keys(tuple(words))
    if key in listed:
        return True
    # "masih dalam proses", "belum ada (menyusul)": a listed word inside a cell with no digit
    return not any(c.isdigit() for c in key) and any(len(w) >= 4 and w in key for w in listed)


def identifier_placeholder(text: str | None, words: Iterable[str] = ()) -> bool:
    """A document-number cell that cannot be a number: a placeholder, no digit at all, or too short."""
    if text is None:
        return False
    if is_placeholder(text, words):
        return True
    key = text_key(text)
    return not any(c.isdigit() for c in key) or len(key) < MIN_IDENTIFIER_LENGTH

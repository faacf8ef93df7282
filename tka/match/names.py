"""Name and passport comparison: order- and spacing-insensitive names, one-edit and look-alike passports."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

_NON_ALNUM = re.compile(r"[^0-9A-Z]")
_SPACES = re.compile(r"\s+")
_ASCII_NON_ALNUM = {c: None for c in range(128) if not chr(c).isalnum() or chr(c).islower()}


def is_blank(value: object) -> bool:
    """True for None, NaN, NaT and pandas NA (scalars only)."""
    # pandas-stubs types isna() for its own scalar union only; a cell of an object column is any object.
    return value is None or (not isinstance(value, str | bytes) and bool(pd.isna(value)))  # type: ignore[call-overload]


def clean_name(name: object) -> str | None:
    """Upper-case, single-spaced name, or None when blank."""
    if is_blank(name):
        return None
    return clean_name_text(str(name))


def clean_name_text(text: str) -> str | None:
    """``clean_name`` of a string."""
    upper = text.upper()
    if upper.isascii():  # split() and \s agree on ASCII whitespace; join is quicker than the regex
        return " ".join(upper.split()) or None
    return _SPACES.sub(" ", upper).strip() or None


def name_key(name: str) -> str:
    """The name's letters, sorted: equal for "GAO XUEFENG", "XUEFENG GAO", "GAO XUE FENG" and "GAO, XUEFENG"."""
    return "".join(sorted(c for c in name if c.isalpha()))


def name_score(a: str, b: str) -> float:
    """Similarity 0-100 of two clean names, insensitive to token order and to spaces inside a name."""
    if a == b or name_key(a) == name_key(b):
        return 100.0
    best = fuzz.token_sort_ratio(a, b)
    # Spacing: compare the names without spaces, trying every rotation of b's tokens (GAO XUE FENG vs
    # XUEFENG GAO), so a split or joined given name does not cost points.
    joined_a = a.replace(" ", "")
    tokens = b.split(" ")
    for i in range(len(tokens)):
        best = max(best, fuzz.ratio(joined_a, "".join(tokens[i:] + tokens[:i])))
    return float(best)


def clean_passport(value: object) -> str | None:
    """Upper-case passport number without spaces or punctuation, or None when blank."""
    if is_blank(value):
        return None
    return clean_passport_text(str(value))


def clean_passport_text(text: str) -> str | None:
    """``clean_passport`` of a string."""
    upper = text.upper()
    if upper.isascii():  # upper-case ASCII: delete every character but A-Z and 0-9, quicker than the regex
        return (upper if upper.isalnum() else upper.translate(_ASCII_NON_ALNUM)) or None
    return _NON_ALNUM.sub("", upper) or None


def passports_near(a: str, b: str, lookalike: Mapping[str, str], max_edits: int = 1) -> bool:
    """True if two passport numbers differ by at most ``max_edits`` edits or only in look-alike characters."""
    return passport_matcher(lookalike, max_edits)(a, b)


def passport_matcher(lookalike: Mapping[str, str], max_edits: int = 1) -> Callable[[str, str], bool]:
    """``passports_near`` with its settings fixed, for comparing many pairs."""
    table = str.maketrans(dict(lookalike))

    def near(a: str, b: str) -> bool:
        if Levenshtein.distance(a, b, score_cutoff=max_edits) <= max_edits:
            return True
        return len(a) == len(b) and a.translate(table) == b.translate(table)

    return near

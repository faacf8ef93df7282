"""Find the header of a sheet and classify the rows below it (data, totals, column numbers, signature).

Agencies put title rows above the table, split headers over two rows under merged group cells ("PASPOR" over
"Nomor | Masa Berlaku"), number the columns "(1) (2) (3)", add JUMLAH rows and close with a signature block.
The header is the row (or pair of rows) whose cells match the most synonyms of ``config/sources.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import filterfalse

from tka.read.config import alnum_key, header_key
from tka.read.header_match import HeaderVocabulary
from tka.read.normalize import cell_text
from tka.read.workbook import Merge

MIN_HEADER_FIELDS = 2  # distinct canonical fields (row_no not counted) a row needs to be taken as the header
IGNORED_FOR_SCORE = frozenset({"row_no"})
_BRACKETS_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]|\*")
_TOTAL_RE = re.compile(r"^(?:jumlah|total|sub\s*-?\s*total|grand\s*total)\b", re.IGNORECASE)
_SIGNATURE_RE = re.compile(
    r"^(?:mengetahui|diketahui|disetujui|dibuat\s+oleh|yang\s+membuat|hormat\s+kami|tertanda|ttd\b|kepala\b|"
    r"camat\b|sekretaris\b|nip\b|nip[.:]|a\.\s*n\.|an\.\s|plt\.?\s|plh\.?\s|pembina\b|penata\b)", re.IGNORECASE)
_PLACE_DATE_RE = re.compile(
    r"^[^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_]+)*\s*,\s*"
    r"(?:\d{1,2}\s+[^\W\d_]+\.?\s+\d{4}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|[^\W\d_]+\s+\d{4})$")
# A lone label that opens a group of rows: "PT KARYA SEJATI", "1. CV MAJU", "Desa Sedulang", "Perusahaan: ...".
_SECTION_RE = re.compile(r"^(?:[\dIVX]+[.)]\s*)?(?:P\.?\s?T\b|C\.?\s?V\b|perusahaan\b|desa\b|kelurahan\b|kecamatan\b|"
                         r"kec\.|lokasi\b|site\b|(?:sub\s*)?kontraktor\b)", re.IGNORECASE)
_COLUMN_NUMBER_RE = re.compile(r"^\(?\d+\)?\.?$")
MAX_SIGNATURE_CELLS = 3


@dataclass(frozen=True)
class Header:
    """A detected header: its rows (grid indices), per-column text and the canonical field of matched columns."""

    rows: tuple[int, ...]
    texts: tuple[str, ...]  # combined header text per column ('' where the column has no header)
    fields: dict[int, str]  # column index -> canonical field (the best-matching column wins for a field)
    unexpected: tuple[str, ...]  # header texts that match no synonym
    duplicates: tuple[str, ...]  # header texts whose field another column matched as well or better
    guessed: dict[int, float] = field(default_factory=dict)  # column index -> score of a match by its words

    @property
    def first_data_row(self) -> int:
        """Grid index of the first row below the header."""
        return self.rows[-1] + 1


def match_field(text: str, lookup: dict[str, str]) -> str | None:
    """Canonical field of one header text: exact synonym key, then the text without brackets/asterisks."""
    return _match_keyed(text, lookup)[0] if text else None


def _match_keyed(text: str, lookup: dict[str, str]) -> tuple[str | None, str]:
    """:func:`match_field` of a non-empty text, and the text's :func:`alnum_key`."""
    key = alnum_key(text)
    field = lookup.get(key or "".join(text.casefold().split()))  # header_key(text)
    # Only text with a bracket or asterisk can change under _BRACKETS_RE (skips the regex for most cells).
    if field is None and _has_brackets(text) and (stripped := _BRACKETS_RE.sub(" ", text)) != text:
        field = lookup.get(header_key(stripped))
    return field, key


def _has_brackets(text: str) -> bool:
    """Whether _BRACKETS_RE can match in a text containing ``text``."""
    return "(" in text or "[" in text or "*" in text


def row_texts(row: list[object]) -> list[str]:
    """Display text of every cell of a row ('' for empty cells; a ``-`` stays as typed)."""
    return [(" ".join(v.split()) if type(v) is str else cell_text(v) or "") for v in row]


def _fill_merges(grid: list[list[str]], merges: list[Merge], last_row: int) -> None:
    """Copy the value of each merged range (within the scanned rows) into all its cells."""
    for (r0, c0), (r1, c1) in merges:
        if r0 > last_row or r0 >= len(grid) or c0 >= len(grid[r0]):
            continue
        value = grid[r0][c0]
        for r in range(r0, min(r1, last_row, len(grid) - 1) + 1):  # a merge may outlast the used range
            row = grid[r]
            for c in range(c0, min(c1 + 1, len(row))):
                if not row[c]:
                    row[c] = value


def _forward_fill_group(group: list[str], child: list[str]) -> list[str]:
    """Without merge info a group cell is "value, then blanks": extend it over the children it spans."""
    filled = list(group)
    for c in range(1, len(filled)):
        if not filled[c] and child[c] and filled[c - 1] and child[c - 1] and c - 1 < len(child):
            filled[c] = filled[c - 1]
    return filled


COMBINED = "\0"  # marks the combined text of a two-row header, matched by spelling only


def _candidates(group: str, child: str) -> list[tuple[str, str]]:
    """(display text, text to match) for one column of a two-row header, most specific first."""
    if group and child and group != child:
        combined = f"{group} {child}"
        return [(combined, COMBINED + combined), (combined, child), (combined, group)]
    text = child or group
    return [(text, text)] if text else []


def _map(columns: list[list[tuple[str, str]]], match: Callable[[str], str | None],
         score: Callable[[str], float | None] = lambda _t: None) -> Header:
    """Map each column to a field; ``score`` gives a guessed text's score (None for an exact synonym)."""
    texts: list[str] = []
    unexpected: list[str] = []
    best: dict[str, tuple[float, int]] = {}  # field -> (rank, column); an exact synonym ranks 2
    matched: dict[int, tuple[str, float | None]] = {}
    for index, candidates in enumerate(columns):
        display = candidates[0][0] if candidates else ""
        texts.append(display)
        hit = next(((f, t) for _, t in candidates if (f := match(t))), None)
        if hit is None:
            if display:
                unexpected.append(display)
            continue
        fld, text = hit
        guess = score(text)
        matched[index] = (fld, guess)
        rank = 2.0 if guess is None else guess
        if fld not in best or rank > best[fld][0]:  # an exact synonym beats a guess; then the leftmost
            best[fld] = (rank, index)
    fields = {i: f for i, (f, _) in matched.items() if best[f][1] == i}
    duplicates = tuple(texts[i] for i in sorted(matched) if i not in fields)
    guessed = {i: g for i, (_, g) in matched.items() if i in fields and g is not None}
    return Header((), tuple(texts), fields, tuple(unexpected), duplicates, guessed)


# What the header scan needs of one cell text: its field (match_field), whether a combined "text child" may
# match a synonym as the group part of a two-row header, and whether the text has brackets.
CellInfo = tuple["str | None", bool, bool]
NO_INFO: CellInfo = (None, False, False)  # an empty cell


class _Matcher:
    """Cell infos for one lookup, memoised per text and kept across sheets and files (headers repeat from file
    to file). Lookups are treated as immutable (``SourcesConfig.header_lookup`` is a cached property)."""

    MAX_MEMO = 1 << 16  # bounded: the scanned rows above and below a header hold data texts too

    def __init__(self, lookup: dict[str, str], vocabulary: HeaderVocabulary | None = None) -> None:
        self.lookup = lookup
        self.vocabulary = vocabulary
        self.memo: dict[str, CellInfo] = {}
        self.scores: dict[str, float] = {}  # text -> score of a match by words (texts matched exactly: absent)
        # Every prefix of a synonym key: alnum_key works character by character, so the key of "group child"
        # starts with alnum_key(group).
        self.prefixes = frozenset(k[:i] for k in lookup for i in range(1, len(k) + 1))

    def info(self, text: str) -> CellInfo:
        """Info of a non-empty text."""
        try:
            return self.memo[text]
        except KeyError:
            if len(self.memo) > self.MAX_MEMO:
                self.memo.clear()
                self.scores.clear()
            field, key = _match_keyed(text, self.lookup)
            if field is None and self.vocabulary is not None and _could_be_header(text):
                guess = self.vocabulary.guess(text)
                if guess is not None:
                    field = guess.field
                    self.scores[text] = guess.score
            brackets = _has_brackets(text)
            # A combined text can only match when its key (nonempty, so header_key has no fallback) starts
            # like a synonym key, or when bracket stripping changes it.
            leads = not key or key in self.prefixes or brackets
            info = self.memo[text] = (field, leads, brackets)
            return info

    def match(self, text: str) -> str | None:
        """match_field(text), or the field its words name (a combined two-row text: by spelling only)."""
        if text.startswith(COMBINED):
            return self.exact(text[1:])
        return self.info(text)[0] if text else None

    def score(self, text: str) -> float | None:
        """The guess's score for a text matched by its words; None for one a synonym spells exactly."""
        return None if text.startswith(COMBINED) else self.scores.get(text)

    def row(self, texts: list[str]) -> list[CellInfo]:
        """Info of every cell of a row."""
        return [self.info(t) if t else NO_INFO for t in texts]

    def pair_fields(self, group: list[str], child: list[str], group_info: list[CellInfo],
                    child_info: list[CellInfo]) -> list[str | None]:
        """Per column, the field _map picks from _candidates(group, child): the combined text, else the child,
        else the group (an empty or equal part leaves just the other)."""
        # A combined "group child" text matches by spelling only: by its words, a header over a data row
        # ("PASSPORT NUMBER" over "M73812732") would read as a two-row header.
        exact = self.exact
        return [((exact(f"{g} {c}") if g and c and g != c and (gi[1] or ci[2]) else None) or ci[0] or gi[0])
                for g, c, gi, ci in zip(group, child, group_info, child_info, strict=True)]

    def exact(self, text: str) -> str | None:
        """The field a synonym spells ``text`` as, never a guess by words."""
        if not text:
            return None
        if text in self.memo and text not in self.scores:
            return self.memo[text][0]
        return _match_keyed(text, self.lookup)[0]


_MATCHERS: dict[int, _Matcher] = {}
_MAX_HEADER_CHARS = 80


def _could_be_header(text: str) -> bool:
    """Worth scoring by words: short, some letters, not mostly digits (a passport, a date, a count)."""
    if len(text) > _MAX_HEADER_CHARS:
        return False
    letters = sum(c.isalpha() for c in text)
    return letters >= 2 and letters >= sum(c.isdigit() for c in text)


def _matcher(lookup: dict[str, str], vocabulary: HeaderVocabulary | None = None) -> _Matcher:
    hit = _MATCHERS.get(id(lookup))
    if hit is None or hit.lookup is not lookup or hit.vocabulary is not vocabulary:
        if len(_MATCHERS) >= 8:  # a long-lived worker reloads the config each run
            _MATCHERS.clear()
        hit = _MATCHERS[id(lookup)] = _Matcher(lookup, vocabulary)
    return hit


def _distinct_fields(fields: list[str | None]) -> int:
    """Score of a row's column fields: the distinct fields :func:`_map` would keep, row_no not counted."""
    found = set(fields)
    found.discard(None)
    return len(found - IGNORED_FOR_SCORE)


def detect_header(rows: list[list[object]], merges: list[Merge], lookup: dict[str, str],
                  scan_rows: int = 30, vocabulary: HeaderVocabulary | None = None) -> Header | None:
    """The best header among the first ``scan_rows`` rows (single row or group+child pair), or None.

    With a ``vocabulary``, a header text no synonym spells exactly may still match a field by its words.
    """
    limit = min(scan_rows, len(rows))
    grid = [row_texts(r) for r in rows[: limit + 1]]
    width = max((len(r) for r in grid), default=0)
    grid = [r + [""] * (width - len(r)) for r in grid]
    _fill_merges(grid, merges, limit)
    matcher = _matcher(lookup, vocabulary)
    # Rows and pairs are scored from their cells' fields alone; only the winner is mapped into a Header
    # (scoring every scanned row and pair through _map was most of the cost of this function).
    infos = [matcher.row(row) for row in grid[:limit]]
    scores = [_distinct_fields([i[0] for i in row]) for row in infos]
    best: tuple[int, ...] | None = None
    best_score = MIN_HEADER_FIELDS - 1
    for i in range(limit):
        if scores[i] > best_score:
            best, best_score = (i,), scores[i]
        if i + 1 < limit and any(grid[i]) and any(grid[i + 1]):
            group = _forward_fill_group(grid[i], grid[i + 1])
            group_info = infos[i] if group == grid[i] else matcher.row(group)
            score = _distinct_fields(matcher.pair_fields(group, grid[i + 1], group_info, infos[i + 1]))
            # A pair wins only when it adds fields to both of its rows alone; otherwise the upper row is a
            # title above the header, or the lower one is data or a (1)(2)(3) row.
            if score > max(best_score, scores[i], scores[i + 1]):
                best, best_score = (i, i + 1), score
    if best is None:
        return None
    if len(best) == 1:
        header = _map([_candidates("", t) for t in grid[best[0]]], matcher.match, matcher.score)
    else:
        group = _forward_fill_group(grid[best[0]], grid[best[1]])
        header = _map([_candidates(g, c) for g, c in zip(group, grid[best[1]], strict=True)], matcher.match,
                      matcher.score)
    return replace(header, rows=best)


# --- Rows below the header ----------------------------------------------------------------------------------
# Cells that mean "no value", as typed (a set lookup: this runs for every cell of every row).
BLANK_CELLS = frozenset({None, "", " ", "  ", "-", " -", "- ", " - ", "--", "—", "–", "n/a", "N/A", "NA", "na",
                         "null", "NULL", "none", "None", "NONE", "nan", "NaN"})


def non_blank(values: list[object]) -> list[object]:
    """The cells of a row that hold a value (not in :data:`BLANK_CELLS`)."""
    return list(filterfalse(BLANK_CELLS.__contains__, values))  # the loop in C: this runs for every row


def row_kind(values: list[object], header_rows: frozenset[tuple[str, ...]] = frozenset(),
             merged: bool = False) -> str:
    """Classify a row below the header: "data", "blank", "total", "numbers", "repeat_header", "section" or
    "signature". ``merged``: the row holds a cell merged across columns (a section label, never a person)."""
    filled = non_blank(values)
    if not filled:
        return "blank"
    first = filled[0]
    first_text = first.strip() if type(first) is str else ""
    if first_text:
        if _TOTAL_RE.match(first_text):
            return "total"
        if len(filled) <= MAX_SIGNATURE_CELLS and (_SIGNATURE_RE.match(first_text) or _PLACE_DATE_RE.match(first_text)):
            return "signature"
        if len(filled) == 1 and (merged or _SECTION_RE.match(first_text)):
            return "section"
        # printed exports repeat the header on every page
        if any(first_text in r for r in header_rows) and trimmed(row_texts(values)) in header_rows:
            return "repeat_header"
    # "(1) (2) (3)" or "1 2 3": every value a number or a bracketed number (cheap test for the data-row case).
    if bool not in map(type, filled) and all(_COLUMN_NUMBER_RE.match(v.strip())
                                             for v in filled if type(v) is str):
        return "numbers"
    return "data"


def trimmed(texts: list[str]) -> tuple[str, ...]:
    """Row texts without trailing blanks (to compare rows of different widths)."""
    end = len(texts)
    while end and not texts[end - 1]:
        end -= 1
    return tuple(texts[:end])


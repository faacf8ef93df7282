"""Turn the data rows of one sheet into canonical columns, column by column.

Normalisation runs per column with a memo per distinct cell value: a sheet repeats the same nationality,
company, kecamatan and dates many times, so most cells cost one dict lookup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import repeat
from json.encoder import encode_basestring as encode_json_string  # C-accelerated, keeps non-ASCII
from typing import Any, TypeVar, cast

from tka.contract import (
    DATE_FIELDS,
    PROVENANCE_COLUMNS,
    REGISTRY_FIELDS,
    WORKER_FIELDS,
    SourceKind,
    record_key,
)
from tka.read import dates
from tka.read import normalize as nz
from tka.read.config import Reference
from tka.read.drive import DiscoveredFile
from tka.read.headers import BLANK_CELLS, Header, row_kind, row_texts, trimmed
from tka.read.placeholders import IDENTIFIER_FIELDS, identifier_placeholder, is_placeholder
from tka.read.workbook import RawSheet

UNPARSED_COLUMNS: tuple[str, ...] = tuple(f"{f}_unparsed" for f in DATE_FIELDS)
# F_placeholder: the text of a cell that meant "no value yet" ("belum ada", "-", "dalam proses"); F is None.
PLACEHOLDER_FIELDS: tuple[str, ...] = (*IDENTIFIER_FIELDS, *DATE_FIELDS)
PLACEHOLDER_COLUMNS: tuple[str, ...] = tuple(f"{f}_placeholder" for f in PLACEHOLDER_FIELDS)
WORKER_COLUMNS: tuple[str, ...] = (*PROVENANCE_COLUMNS, *WORKER_FIELDS, *UNPARSED_COLUMNS,
                                   "nationality_unknown", "kecamatan_unknown", "nationality_guess",
                                   *PLACEHOLDER_COLUMNS)
REGISTRY_COLUMNS: tuple[str, ...] = (*PROVENANCE_COLUMNS, *REGISTRY_FIELDS, "kecamatan_unknown",
                                     "company_nib_placeholder")
Column = Sequence[object]


def frame_columns(source_kind: str | None) -> tuple[str, ...]:
    """Columns of the read-rows frame of a source kind (registry or worker layout)."""
    return REGISTRY_COLUMNS if source_kind == SourceKind.REGISTRY else WORKER_COLUMNS


def data_row_indices(sheet: RawSheet, header: Header) -> list[int]:
    """Grid indices of the data rows below the header: junk rows dropped, reading stops at the signature."""
    header_rows = frozenset(trimmed(row_texts(sheet.rows[i])) for i in header.rows)
    person_columns = [c for c, f in header.fields.items() if f != "row_no"]
    merged_rows = {r0 for (r0, c0), (r1, c1) in sheet.merges if c1 > c0 and r0 >= header.first_data_row}
    indices = []
    for index in range(header.first_data_row, len(sheet.rows)):
        values = sheet.rows[index]
        kind = row_kind(values, header_rows, index in merged_rows)
        if kind == "signature":
            break
        # A row whose only value is a row number or sits in an unnamed column is a section label, not a person.
        if kind == "data" and any(values[c] not in BLANK_CELLS for c in person_columns):
            indices.append(index)
    return indices


def record_keys(file_sha256: str, sheet: str, row_numbers: list[int]) -> list[str]:
    """:func:`tka.contract.record_key` of each row: its fixed part is formatted once (it ends with the number)."""
    prefix = record_key(file_sha256, sheet, 0).removesuffix("0")
    return list(map(prefix.__add__, map(str, row_numbers)))


def raw_cell_json(value: object) -> str:
    """JSON of one cell for ``raw``: strings as typed (trimmed), other values as :func:`cell_text` shows them."""
    text = (value.strip() or None) if type(value) is str else nz.cell_text(value)
    return "null" if text is None else encode_json_string(text)


def _raw_column(values: tuple[object, ...]) -> list[str]:
    # Strings (most cells, mostly unique) are encoded directly; numbers and dates go through the memo.
    return [(encode_json_string(t) if (t := v.strip()) else "null") if type(v) is str
            else RAW_CELL(v) for v in values]


def raw_keys(header: Header) -> list[tuple[int, str]]:
    """(column index, JSON-encoded unique header text + ":") of every column with a header, for ``raw``."""
    keys, seen = [], set()
    for index, text in enumerate(header.texts):
        if not text:
            continue
        key = text if text not in seen else f"{text} [{column_letter(index)}]"
        seen.add(key)
        keys.append((index, encode_json_string(key) + ":"))
    return keys


def column_letter(index: int) -> str:
    """Excel column letters of a 0-based column index (0 -> "A", 27 -> "AB")."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


CACHE_SIZE = 1 << 16  # distinct values remembered per normaliser (bounded memory on hostile input)
F = TypeVar("F", bound=Callable[..., Any])


def _memo(func: F) -> F:
    # typed=True: 1.0, 1 and True hash alike but must normalise differently. The cache keeps the call
    # signature (its arguments are hashable cells), which lru_cache's own type does not say.
    return cast(F, lru_cache(maxsize=CACHE_SIZE, typed=True)(func))


@dataclass(frozen=True)
class Normalisers:
    """Memoised normalisers bound to one reference and date system; shared by all files of a run."""

    kecamatan: Callable[[object, object], tuple[str | None, str | None]]
    nationality: Callable[[object], tuple[str | None, str | None, str | None]]
    # Date normalisers take (value, day/month order, two-digit-year pivot): the memo is per (value, order, pivot).
    place_date: Callable[[object, str, int], tuple[str | None, object, str | None]]
    date_range: Callable[[object, str, int], tuple[object, object, str | None]]
    date: Callable[[object, str, int], tuple[object, str | None]]
    person_kind: Callable[[object], str]


TEXT = _memo(nz.cell_text)
RAW_CELL = _memo(raw_cell_json)
COMPANY = _memo(nz.normalize_company_name)
NIB = _memo(nz.normalize_nib)
KBLI = _memo(nz.normalize_kbli)
YES_NO = _memo(nz.normalize_yes_no)
SEX = _memo(nz.normalize_sex)
PERMIT_TYPE = _memo(nz.permit_type)
_BOUND: dict[tuple[int, bool], tuple[Reference, Normalisers]] = {}
MAX_BOUND = 8  # a long-lived worker reloads the config each run: keep only recent references alive


def normalisers(ref: Reference, date1904: bool) -> Normalisers:
    """The memoised normalisers for ``ref`` and the date system (built once per reference object)."""
    hit = _BOUND.get((id(ref), date1904))
    if hit is None or hit[0] is not ref:
        bound = Normalisers(
            kecamatan=_memo(partial(nz.normalize_kecamatan, ref=ref)),
            nationality=_memo(partial(nz.normalize_nationality_flagged, ref=ref)),
            place_date=_memo(lambda v, order, pivot: nz.split_place_date(v, date1904, ref, order=order,
                                                                         century_pivot=pivot)),
            date_range=_memo(lambda v, order, pivot: nz.parse_date_range(v, ref, order=order, century_pivot=pivot)),
            date=_memo(lambda v, order, pivot: nz.parse_date(v, date1904, ref, order=order, century_pivot=pivot)),
            person_kind=_memo(partial(nz.person_kind, ref=ref)),
        )
        if len(_BOUND) >= MAX_BOUND:
            _BOUND.clear()
        hit = _BOUND[(id(ref), date1904)] = (ref, bound)
    return hit[1]


_PERIOD_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})-(?:0[1-9]|1[0-2])(?!\d)")
BIRTH_DATE_COLUMNS = frozenset({"birth_date", "birth_place_date"})
DATE_COLUMNS: tuple[str, ...] = ("birth_place_date", "rptka_range", *DATE_FIELDS)


def path_period_year(path: str) -> int | None:
    """Year of the first "YYYY-MM" period folder in a drive path (the layout always names the period)."""
    m = _PERIOD_RE.search(path)
    return int(m[1]) if m else None


def column_orders(cells: dict[str, Column]) -> dict[str, str]:
    """Day/month order of each date column: its own evidence, else the sheet's other date columns, else DMY."""
    evidence = {f: dates.column_evidence(v for v in cells[f] if type(v) is str) for f in DATE_COLUMNS if f in cells}
    sheet = dates.order_of(set().union(*evidence.values()))
    return {f: dates.order_of(found) or sheet or "DMY" for f, found in evidence.items()}


class SheetColumns:
    """Builds the canonical columns of the sheets of one file."""

    def __init__(self, file: DiscoveredFile, ref: Reference, date1904: bool, run_id: str,
                 reference_year: int | None = None) -> None:
        self.file, self.ref, self.date1904, self.run_id = file, ref, date1904, run_id
        # Two-digit years: a birth year is never after the period's year; a permit may run some years beyond.
        year = reference_year if reference_year is not None else path_period_year(file.path)
        self.pivots = {f: dates.pivot_for(year, birth=f in BIRTH_DATE_COLUMNS) for f in DATE_COLUMNS}
        self.registry = file.source_kind == SourceKind.REGISTRY
        self.columns = frame_columns(file.source_kind)
        self.defaults = {k: v for k, v in file.defaults.items() if k in self.columns}
        self.norm = normalisers(ref, date1904)

    def build(self, sheet: RawSheet, header: Header) -> dict[str, Column]:
        """Canonical columns (every frame column) of the data rows of ``sheet``."""
        indices = data_row_indices(sheet, header)
        rows = [sheet.rows[i] for i in indices]
        n = len(rows)
        grid_columns: list[tuple[object, ...]] = (list(zip(*rows, strict=True)) if rows
                                                  else [()] * len(header.texts))  # rows are uniform (RawSheet)
        cells: dict[str, Column] = {fld: [None if v in BLANK_CELLS else v for v in grid_columns[c]]
                                    for c, fld in header.fields.items()}
        out: dict[str, Column] = {}
        self._placeholders(out, cells)
        self._provenance(out, sheet, header, indices, grid_columns)
        self._common(out, cells)
        if not self.registry:
            self._worker(out, cells, n)
        self._apply_defaults(out, n)
        return {c: out.get(c) or [None] * n for c in self.columns}

    def _placeholders(self, out: dict[str, Column], cells: dict[str, Column]) -> None:
        """Empty every identifier or date cell that holds a placeholder; keep its text in F_placeholder."""
        words = tuple(self.ref.placeholder_words)
        for fld in PLACEHOLDER_FIELDS:
            col = cells.get(fld)
            if col is None or f"{fld}_placeholder" not in self.columns:
                continue
            test = identifier_placeholder if fld in IDENTIFIER_FIELDS else is_placeholder
            dated = fld not in IDENTIFIER_FIELDS  # a number in a date column is a serial; only 0 is a filler
            texts = [None if v is None or (dated and type(v) in (int, float) and v != 0) else nz.cell_text(v)
                     for v in col]
            hits = [t if t is not None and test(t, words) else None for t in texts]
            if any(h is not None for h in hits):
                out[f"{fld}_placeholder"] = hits
                cells[fld] = [None if h is not None else v for v, h in zip(col, hits, strict=True)]

    def _provenance(self, out: dict[str, Column], sheet: RawSheet, header: Header, indices: list[int],
                    grid_columns: list[tuple[object, ...]]) -> None:
        file, n = self.file, len(indices)
        numbers = [sheet.row_number(i) for i in indices]
        keys = raw_keys(header)
        # ``raw``: cells JSON-encoded column by column, then one str.format per row (json.dumps per row is
        # several times slower); braces in header texts are doubled for the template.
        template = "{{" + ",".join(k.replace("{", "{{").replace("}", "}}") + "{}" for _, k in keys) + "}}"
        encoded = [_raw_column(grid_columns[c]) for c, _ in keys]
        raw = list(map(template.format, *encoded)) if encoded else ["{}"] * n
        out.update(run_id=[self.run_id] * n, source_kind=[file.source_kind] * n, source_id=[file.source_id] * n,
                   file_path=[file.path] * n, file_sha256=[file.sha256] * n, sheet=[sheet.name] * n,
                   row_number=numbers, raw=raw, record_key=record_keys(file.sha256, sheet.name, numbers))

    def _common(self, out: dict[str, Column], cells: dict[str, Column]) -> None:
        if (col := cells.get("kecamatan")) is not None:
            pairs = list(map(self.norm.kecamatan, col, cells.get("address") or [None] * len(col)))
            out["kecamatan_code"] = [p[0] for p in pairs]
            out["kecamatan_unknown"] = [p[1] for p in pairs]
            out["kecamatan_raw"] = list(map(TEXT, col))
        if (col := cells.get("company_name")) is not None:
            out["company_name"] = list(map(COMPANY, col))
            out["company_name_raw"] = list(map(TEXT, col))
        if (col := cells.get("company_nib")) is not None:
            out["company_nib"] = list(map(NIB, col))
        if (col := cells.get("address")) is not None:
            out["address"] = list(map(TEXT, col))
        if self.registry:
            if (col := cells.get("kbli")) is not None:
                out["kbli"] = list(map(KBLI, col))
            if (col := cells.get("must_report")) is not None:
                out["must_report"] = list(map(YES_NO, col))

    def _worker(self, out: dict[str, Column], cells: dict[str, Column], n: int) -> None:
        norm, ref, text = self.norm, self.ref, nz.cell_text
        nationality: Column = [None] * n
        if (col := cells.get("nationality")) is not None:
            triples = list(map(norm.nationality, col))
            nationality = [t[0] for t in triples]
            out.update(nationality=nationality, nationality_unknown=[t[1] for t in triples],
                       nationality_guess=[t[2] for t in triples], nationality_raw=list(map(TEXT, col)))
        # Names, passports and permit numbers are unique per row: a memo would only cost.
        if (col := cells.get("name")) is not None:
            raw = list(map(text, col))
            out.update(name=list(map(nz.normalize_person_name, raw)), name_raw=raw)
        if (col := cells.get("passport_no")) is not None:
            out.update(passport_no=[nz.normalize_passport(v, iso3, ref)  # type: ignore[arg-type]
                                    for v, iso3 in zip(col, nationality, strict=True)],
                       passport_raw=list(map(text, col)))
        orders = column_orders(cells)
        if (col := cells.get("birth_place_date")) is not None:
            born = list(map(norm.place_date, col, repeat(orders["birth_place_date"]),
                            repeat(self.pivots["birth_place_date"])))
            out.update(birth_place=[t[0] for t in born], birth_date=[t[1] for t in born],
                       birth_date_unparsed=[t[2] for t in born])
        if (col := cells.get("rptka_range")) is not None:
            spans = list(map(norm.date_range, col, repeat(orders["rptka_range"]),
                             repeat(self.pivots["rptka_range"])))
            out.update(rptka_start=[t[0] for t in spans], rptka_end=[t[1] for t in spans],
                       rptka_start_unparsed=[t[2] if t[0] is None else None for t in spans],
                       rptka_end_unparsed=[t[2] if t[1] is None else None for t in spans])
        for fld in DATE_FIELDS:  # a dedicated date column wins over a combined one
            if (col := cells.get(fld)) is not None:
                pairs = list(map(norm.date, col, repeat(orders[fld]), repeat(self.pivots[fld])))
                out[fld] = [p[0] for p in pairs]
                out[f"{fld}_unparsed"] = [p[1] for p in pairs]
        for fld in ("name_native", "position", "birth_place", "note"):
            if (col := cells.get(fld)) is not None:
                out[fld] = list(map(TEXT, col))
        for fld in ("rptka_no", "notifikasi_no", "kitas_no"):
            if (col := cells.get(fld)) is not None:
                out[fld] = list(map(nz.normalize_document_no, col))
        if (col := cells.get("sex")) is not None:
            out["sex"] = list(map(SEX, col))
        if (col := cells.get("permit_type")) is not None:
            out["permit_type"] = list(map(PERMIT_TYPE, col))
        out["person_kind"] = list(map(norm.person_kind, cells.get("person_kind") or [None] * n))

    def _apply_defaults(self, out: dict[str, Column], n: int) -> None:
        # A row that names a kecamatan (even an unknown one) keeps it; the file name only fills blanks.
        names_kecamatan = out.get("kecamatan_raw") or [None] * n
        for key, value in self.defaults.items():
            current = out.get(key) or [None] * n
            if key.startswith("kecamatan"):
                out[key] = [value if c is None and k is None else c
                            for c, k in zip(current, names_kecamatan, strict=True)]
            else:
                out[key] = [value if c is None else c for c in current]

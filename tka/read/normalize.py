"""Cell-value normalisers: dates, nationality, passport, kecamatan, names, companies, NIB and permit words.

Every function is pure and takes the raw cell value as the reader got it (str, float, int, bool, date,
datetime or None). Blank cells and ``-`` mean "no value" and give None. Functions that can fail return the raw
text as a second value, so the validator can report it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from tka.read import dates
from tka.read.config import Reference, header_key, load_reference
from tka.read.countries import CountryMatch, reference_country_index, resolve_country
from tka.settings import PROJECT_ROOT

_NULL_TEXTS = frozenset({"", "-", "--", "—", "–", "n/a", "na", "null", "none", "nan"})


@lru_cache(maxsize=1)
def default_reference() -> Reference:
    """The project's ``config/reference.yaml``, used when a normaliser gets no ``ref``."""
    return load_reference(PROJECT_ROOT / "config" / "reference.yaml")


def is_null_text(text: str) -> bool:
    """True for text that means "no value": blank, ``-``, n/a, null."""
    return len(text) <= 4 and text.casefold() in _NULL_TEXTS


def cell_text(value: object) -> str | None:
    """The text of a cell as a person reads it: integral floats without ``.0``, dates ISO; None for blanks."""
    kind = type(value)
    if kind is str:  # by far the most common cell type: keep this path short
        text = " ".join(value.split())  # type: ignore[attr-defined]
        return None if len(text) <= 4 and text.casefold() in _NULL_TEXTS else text
    if value is None:
        return None
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is float:
        number = cast("float", value)  # exactly float (not a subclass): the type test above narrows no type
        if math.isnan(number):
            return None
        return str(int(number)) if number.is_integer() and abs(number) < 1e16 else repr(number)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time, dt.timedelta, int)):
        return str(value)
    return cell_text(str(value))


# --- Dates ------------------------------------------------------------------------------------------------
# The parser itself is tka.read.dates; these wrappers keep the reader's (value, raw text) shapes and bind the
# reference's month and placeholder words.
TWO_DIGIT_YEAR_PIVOT = dates.DEFAULT_CENTURY_PIVOT  # "25" -> 2025, "85" -> 1985 without a reference year
excel_serial_to_date = dates.excel_serial_to_date


def _month_table(ref: Reference) -> dict[str, int]:
    # English from the calendar module as a backstop; config/reference.yaml holds every spelling.
    table = {name.casefold(): i for i, name in enumerate(calendar.month_name) if name}
    table.update({name.casefold(): i for i, name in enumerate(calendar.month_abbr) if name})
    for month, words in ref.months.items():
        table.update({w.casefold(): int(month) for w in words})
    return table


# Lookup tables derived from a Reference, keyed by its id (pydantic models are not hashable); the reference is
# kept in the value so a recycled id is detected. Bounded: a long-lived worker reloads the config every run.
MAX_CACHED_REFERENCES = 8
_MONTHS_CACHE: dict[int, tuple[Reference, dict[str, int], tuple[str, ...]]] = {}


def _date_words(ref: Reference | None) -> tuple[dict[str, int], tuple[str, ...]]:
    ref = ref or default_reference()
    hit = _MONTHS_CACHE.get(id(ref))
    if hit is None or hit[0] is not ref:
        if len(_MONTHS_CACHE) >= MAX_CACHED_REFERENCES:
            _MONTHS_CACHE.clear()
        hit = _MONTHS_CACHE[id(ref)] = (ref, _month_table(ref), tuple(ref.date_placeholders))
    return hit[1], hit[2]


def date_words(ref: Reference | None = None) -> tuple[dict[str, int], tuple[str, ...]]:
    """(month word -> month number, placeholder words) of a reference, for :mod:`tka.read.dates`."""
    months, placeholders = _date_words(ref)
    return dict(months), placeholders


def _old_shape(parse: dates.DateParse, value: object) -> tuple[dt.date | None, str | None]:
    if parse.status == "ok":
        return parse.value, None
    if parse.status == "blank":
        return None, None
    return None, cell_text(value)  # "-", "n/a" stay blank here as before; other placeholders are raw text


def parse_date(value: object, date1904: bool = False, ref: Reference | None = None, *,
               order: dates.DateOrder = "DMY", century_pivot: int = TWO_DIGIT_YEAR_PIVOT
               ) -> tuple[dt.date | None, str | None]:
    """Parse a date cell: (date, None), (None, raw text) when unparseable, or (None, None) when blank."""
    months, placeholders = _date_words(ref)
    return _old_shape(dates.parse_date_value(value, order=order, date1904=date1904, months=months,
                                             placeholders=placeholders, century_pivot=century_pivot), value)


def parse_date_range(value: object, ref: Reference | None = None, *, order: dates.DateOrder = "DMY",
                     century_pivot: int = TWO_DIGIT_YEAR_PIVOT, date1904: bool = False
                     ) -> tuple[dt.date | None, dt.date | None, str | None]:
    """Split "01-01-2025 s/d 31-12-2025" (s.d., sampai dengan) into (start, end, raw text if a part failed)."""
    text = cell_text(value)
    if text is None:
        return None, None, None
    months, placeholders = _date_words(ref)
    start, end = dates.parse_date_range(value, order=order, date1904=date1904, months=months,
                                        placeholders=placeholders, century_pivot=century_pivot)
    failed = start.status != "ok" or end.status != "ok"
    return start.value, end.value, text if failed else None


def split_place_date(value: object, date1904: bool = False, ref: Reference | None = None, *,
                     order: dates.DateOrder = "DMY", century_pivot: int = TWO_DIGIT_YEAR_PIVOT
                     ) -> tuple[str | None, dt.date | None, str | None]:
    """Split a "Tempat/Tgl Lahir" cell ("Beijing, 12-03-1985") into (place, date, unparsed date text)."""
    months, placeholders = _date_words(ref)
    place, parse = dates.split_place_date(value, order=order, date1904=date1904, months=months,
                                          placeholders=placeholders, century_pivot=century_pivot)
    parsed, bad = _old_shape(parse, value if parse.text is None else parse.text)
    return place, parsed, bad


# --- Nationality --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Tables:
    kecamatan: dict[str, str]
    split_villages: dict[str, list[tuple[str, str]]]  # parent code -> [(village key, new code)]
    digit_lengths: dict[str, int]  # nationality -> the one length of its all-digit passport patterns
    dependant_words: frozenset[str]


_TABLES_CACHE: dict[int, tuple[Reference, _Tables]] = {}
_DIGITS_PATTERN_RE = re.compile(r"^\^\\d\{(\d+)\}\$$")


def _tables(ref: Reference | None) -> _Tables:
    ref = ref or default_reference()
    hit = _TABLES_CACHE.get(id(ref))
    if hit is None or hit[0] is not ref:
        if len(_TABLES_CACHE) >= MAX_CACHED_REFERENCES:
            _TABLES_CACHE.clear()
        hit = _TABLES_CACHE[id(ref)] = (ref, _build_tables(ref))
    return hit[1]


def _build_tables(ref: Reference) -> _Tables:
    kecamatan: dict[str, str] = {}
    for code, kec in ref.kecamatan.items():
        for word in [kec.name, *kec.variants]:
            kecamatan[header_key(word)] = code
    split: dict[str, list[tuple[str, str]]] = {}
    for code, info in ref.kecamatan_split.items():
        split.setdefault(info.parent, []).extend((header_key(v), code) for v in info.villages)
    digit_lengths = {}
    for iso3, patterns in ref.passport_patterns.items():
        lengths = {int(m[1]) for p in patterns if (m := _DIGITS_PATTERN_RE.match(p))}
        if len(lengths) == 1:
            digit_lengths[iso3] = lengths.pop()
    return _Tables(kecamatan, split, digit_lengths,
                   frozenset(w.casefold() for w in ref.dependant_words))


def normalize_nationality(value: object, ref: Reference | None = None) -> tuple[str | None, str | None]:
    """ISO 3166 alpha-3 of a nationality cell (see :mod:`tka.read.countries`): (iso3, None) or (None, raw text)."""
    text = cell_text(value)
    if text is None:
        return None, None
    match = nationality_match(text, ref)
    return (match.iso3, None) if match else (None, text)


def normalize_nationality_flagged(value: object, ref: Reference | None = None
                                  ) -> tuple[str | None, str | None, str | None]:
    """(iso3, raw text if unknown, raw text if matched only by similarity) of a nationality cell."""
    text = cell_text(value)
    if text is None:
        return None, None, None
    match = nationality_match(text, ref)
    if match is None:
        return None, text, None
    return match.iso3, None, text if match.method == "fuzzy" else None


def nationality_match(value: object, ref: Reference | None = None) -> CountryMatch | None:
    """How a nationality cell resolves (exact, alias or fuzzy, with its score); None for blanks and unknowns."""
    text = cell_text(value)
    if text is None:
        return None
    return resolve_country(text, reference_country_index(ref or default_reference()))


# --- Passport, NIB ----------------------------------------------------------------------------------------
_ID_STRIP_RE = re.compile(r"[\s\-.]+")
MAX_RESTORED_ZEROS = 2  # a numeric cell drops leading zeros; more than two missing digits is a different error


def normalize_passport(value: object, nationality: str | None = None,
                       ref: Reference | None = None) -> str | None:
    """Upper-case passport number without spaces/dashes/dots; restores zeros a numeric cell dropped."""
    text = cell_text(value)
    if text is None:
        return None
    number = _ID_STRIP_RE.sub("", text).upper()
    if not number:
        return None
    if number.isdigit():
        length = _tables(ref).digit_lengths.get(nationality or "")
        # An all-digit value can only match all-digit patterns, so padding to their length is safe.
        if length and length - MAX_RESTORED_ZEROS <= len(number) < length:
            number = number.zfill(length)
    return number


NIB_LENGTH = 13


def normalize_nib(value: object) -> str | None:
    """NIB as digit text; a numeric cell loses its ``.0`` and a dropped leading zero is restored."""
    text = cell_text(value)
    if text is None:
        return None
    compact = _ID_STRIP_RE.sub("", text)
    if compact.isdigit():
        if isinstance(value, (int, float)) and not isinstance(value, bool) and len(compact) == NIB_LENGTH - 1:
            compact = compact.zfill(NIB_LENGTH)
        return compact
    return text


KBLI_LENGTH = 5


def normalize_kbli(value: object) -> str | None:
    """KBLI code as 5-digit text (a numeric cell 5100 becomes "05100")."""
    text = cell_text(value)
    if text is None:
        return None
    compact = _ID_STRIP_RE.sub("", text)
    if compact.isdigit() and isinstance(value, (int, float)) and len(compact) < KBLI_LENGTH:
        return compact.zfill(KBLI_LENGTH)
    return compact


def normalize_document_no(value: object) -> str | None:
    """A permit number (RPTKA, Notifikasi, KITAS) as typed, trimmed; numeric cells without ``.0``."""
    text = cell_text(value)
    return text.upper() if text else None


# --- Kecamatan ----------------------------------------------------------------------------------------------
_KEC_PREFIX_RE = re.compile(r"^\s*(?:kecamatan|kec)\b\.?\s*", re.IGNORECASE)
_KEC_CODE_RE = re.compile(r"^64\.?02\.?(\d{2})$")


def normalize_kecamatan(value: object, village: object = None,
                        ref: Reference | None = None) -> tuple[str | None, str | None]:
    """Kemendagri code of a kecamatan cell: (code, None), (None, raw text) if unknown, (None, None) if blank.

    An old (parent) name together with a village that moved (``kecamatan_split``) gives the new kecamatan.
    """
    text = cell_text(value)
    if text is None:
        return None, None
    tables = _tables(ref)
    name = _KEC_PREFIX_RE.sub("", text)
    code = tables.kecamatan.get(header_key(name))
    if code is None and (m := _KEC_CODE_RE.match(name.replace(" ", ""))):
        candidate = f"64.02.{m[1]}"
        code = candidate if candidate in (ref or default_reference()).kecamatan else None
    if code is None:
        return None, text
    village_text = cell_text(village)
    if village_text and code in tables.split_villages:
        village_key = header_key(village_text)
        for key, new_code in tables.split_villages[code]:
            if key in village_key:  # "Desa Kedang Ipil RT 03" names the village inside an address
                return new_code, None
    return code, None


_WORDS_RE = re.compile(r"[^\W_]+", re.UNICODE)


def _word_key(text: str) -> str:
    """Casefolded words of ``text`` between single spaces, padded so whole words can be found with ``in``."""
    return " " + " ".join(_WORDS_RE.findall(text.casefold())) + " "


def kecamatan_in_text(text: str, ref: Reference | None = None) -> str | None:
    """The one kecamatan a free text names, e.g. a file name ("Data Orang Asing Wilayah Kec. Loa Janan Bulan
    Agustus 2025"): the longest kecamatan name or variant found as whole words ("Samboja Barat" over
    "Samboja"); None when none is found or two kecamatan are named."""
    words = _word_key(text)
    ref = ref or default_reference()
    names = {code: [k for k in (_word_key(n) for n in (kec.name, *kec.variants)) if len(k) > 2]
             for code, kec in ref.kecamatan.items()}
    found = {code: max(len(k) for k in keys if k in words)
             for code, keys in names.items() if any(k in words for k in keys)}
    if not found:
        return None
    best = max(found.values())
    longest = [code for code, n in found.items() if n == best]
    if len(longest) != 1:
        return None
    # a shorter name inside the longest one ("Samboja" in "Samboja Barat") is the same mention, not a second one
    inside = all(any(a in b for a in names[code] for b in names[longest[0]]) for code in found)
    return longest[0] if inside else None


# --- People and companies ---------------------------------------------------------------------------------
_HONORIFIC_RE = re.compile(r"^(?:(?:MR|MRS|MS|MISS|MDM|MADAM)\b\.?\s*)+")


def normalize_person_name(value: object) -> str | None:
    """Upper-case name with single spaces and without leading MR/MRS/MS/MISS."""
    text = cell_text(value)
    if text is None:
        return None
    name = text.upper()
    if name.startswith("M"):  # every honorific starts with M; skip the regex for the rest
        name = _HONORIFIC_RE.sub("", name)
    return " ".join(name.strip(" .,").split()) or None


_SEX = {"l": "L", "lk": "L", "laki": "L", "lakilaki": "L", "pria": "L", "m": "L", "male": "L",
        "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "w": "P", "f": "P", "female": "P"}


def normalize_sex(value: object) -> str | None:
    """"L" (laki-laki) or "P" (perempuan) from L/P, Laki-laki/Perempuan, Pria/Wanita, M/F; else None."""
    text = cell_text(value)
    return _SEX.get(header_key(text)) if text else None


_LEGAL_FORM_RE = r"(?:P\s*\.?\s*T|C\s*\.?\s*V)"
_FORM_PREFIX_RE = re.compile(rf"^(?P<form>{_LEGAL_FORM_RE})(?:\s*\.\s*|\s+)(?P<rest>.+)$")
_FORM_SUFFIX_RE = re.compile(rf"^(?P<rest>.+?)\s*[,\s]\s*(?P<form>{_LEGAL_FORM_RE})\s*\.?$")
_TBK_RE = re.compile(r"[\s,.]+TBK\s*\.?$")


def normalize_company_name(value: object) -> str | None:
    """Company name in "PT NAME" form, upper-case ("PT. X", "P.T. X", "X, PT", "X PT" -> "PT X"; CV alike; TBK last)."""
    text = cell_text(value)
    if text is None:
        return None
    name = " ".join(text.upper().replace("\u201c", '"').replace("\u201d", '"').split()).strip(' "\'')
    tbk = bool(_TBK_RE.search(name))
    name = _TBK_RE.sub("", name)
    form = None
    if (m := _FORM_PREFIX_RE.match(name)) or (m := _FORM_SUFFIX_RE.match(name)):
        form, name = m["form"], m["rest"]
    stripped = _TBK_RE.sub("", name).strip(" ,.")  # "X TBK, PT": the TBK sat before the moved form
    tbk = tbk or stripped != name.strip(" ,.")
    name = stripped
    parts = [re.sub(r"[\s.]", "", form)] if form else []
    parts.append(name)
    if tbk:
        parts.append("TBK")
    return " ".join(" ".join(parts).split()) or None


# --- Permit and person words --------------------------------------------------------------------------------
_PERMIT_TYPES = {"baru": "baru", "new": "baru", "perpanjangan": "perpanjangan", "perpanjang": "perpanjangan",
                 "extension": "perpanjangan", "renewal": "perpanjangan", "jangkapendek": "jangka_pendek",
                 "shortterm": "jangka_pendek", "jp": "jangka_pendek"}


def permit_type(value: object) -> str | None:
    """"baru" | "perpanjangan" | "jangka_pendek" from Baru/Perpanjangan/Jangka Pendek (and English); else None."""
    text = cell_text(value)
    return _PERMIT_TYPES.get(header_key(text)) if text else None


_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


def person_kind(value: object, ref: Reference | None = None) -> str:
    """"dependant" when a Status/Hubungan cell holds a dependant word (istri, anak, ...), else "worker"."""
    text = cell_text(value)
    if not text:
        return "worker"
    words = _tables(ref).dependant_words
    return "dependant" if any(w in words for w in _WORD_RE.findall(text.casefold())) else "worker"


_YES = frozenset({"ya", "y", "yes", "true", "1", "wajib", "v", "✓"})
_NO = frozenset({"tidak", "t", "no", "n", "false", "0", "tidakwajib"})


def normalize_yes_no(value: object) -> bool | None:
    """Registry flags such as "Wajib Lapor": Ya/Tidak (Yes/No, 1/0) -> True/False, else None."""
    if isinstance(value, bool):
        return value
    text = cell_text(value)
    if text is None:
        return None
    key = header_key(text) if text != "✓" else text
    return True if key in _YES else False if key in _NO else None

"""The one date parser: every way a clerk types a date, with a day/month order decided per column.

Pure functions on plain values. Month words and placeholder words come in as plain data (from
``config/reference.yaml``: ``months``, ``date_placeholders``); nothing here reads config.

Every parse says what the value was (:class:`DateParse`): a date (``ok``), nothing (``blank``), a clerk's word
for "not yet / none" (``placeholder``), a well-formed date that does not exist (``impossible``, "31 Pebruari
1973") or text that is no date (``unparsed``), so a caller can empty a placeholder with a warning and flag the
rest as errors.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

DateOrder = Literal["DMY", "MDY"]
DateStatus = Literal["ok", "blank", "placeholder", "impossible", "unparsed"]
RangePart = Literal["start", "end"]
FAILED_STATUSES: frozenset[str] = frozenset({"placeholder", "impossible", "unparsed"})


@dataclass(frozen=True, slots=True)
class DateParse:
    """Outcome of parsing one cell: the date (status ``ok``) or why there is none, with the cell's text."""

    value: dt.date | None
    status: DateStatus
    text: str | None


BLANK = DateParse(None, "blank", None)
DEFAULT_CENTURY_PIVOT = 50  # without a reference year: "25" -> 2025, "85" -> 1985
_EXCEL_1900 = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 once Lotus' phantom 1900-02-29 is accounted for
_EXCEL_1904 = dt.date(1904, 1, 1)
_MAX_SERIAL = 2958465  # 9999-12-31
_LOTUS_LEAP_DAY = 60  # serial of 1900-02-29, which does not exist
# A serial in a date column beyond 5 digits (after 2173-10-14) is a typing error, not a date.
MAX_DATE_SERIAL = 99999
_YEAR_ONLY = range(1900, 2100)  # "1985" alone in a date column is a year, not serial 1985 (1905-06-07)


def excel_serial_to_date(serial: float, date1904: bool = False) -> dt.date | None:
    """Date of an Excel serial number in the 1900 or 1904 system; None when out of range."""
    if not (0 < serial <= _MAX_SERIAL):
        return None
    days = int(serial)
    if date1904:
        return _EXCEL_1904 + dt.timedelta(days=days)
    if days == _LOTUS_LEAP_DAY:
        return None
    return _EXCEL_1900 + dt.timedelta(days=days if days > _LOTUS_LEAP_DAY else days + 1)


def century_year(two_digits: int, century_pivot: int) -> int:
    """Four-digit year of a two-digit one: above the pivot -> 19yy, else 20yy."""
    return 1900 + two_digits if two_digits > century_pivot else 2000 + two_digits


def pivot_for(reference_year: int | None, *, birth: bool, years_ahead: int = 20) -> int:
    """Two-digit-year pivot for a column: a birth date is never after the reference year; other dates
    (permits) may lie up to ``years_ahead`` years after it. Without a reference year, the default pivot."""
    if reference_year is None:
        return DEFAULT_CENTURY_PIVOT
    yy = reference_year % 100
    return yy if birth else min(99, yy + years_ahead)


# --- Text shapes -------------------------------------------------------------------------------------------
_WEEKDAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "jum’at", "sabtu", "minggu", "ahad",
             "isnin", "khamis",  # Malay
             "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
             "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun")
_WEEKDAY_RE = re.compile(rf"^(?:hari\s+)?(?:{'|'.join(re.escape(w) for w in _WEEKDAYS)})\b[\s,.]*", re.IGNORECASE)
_TIME_RE = re.compile(r"(?:[ T]|\s+(?:jam|pukul)\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[ap]\.?m\.?)?"
                      r"(?:\s*(?:z|utc|gmt|wita|wib|wit|[+-]\d{2}:?\d{2}))?$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_TOKEN_RE = re.compile(r"\d+|[^\W\d_]+")
_SEPARATORS = frozenset(" /.-,'’()")
# Words around a date that carry no part of it: "tgl 5", "5th", "ke-5", "5th of August".
_FILLER = frozenset({"tgl", "tanggal", "ke", "of", "the", "st", "nd", "rd", "th", "hb", "haribulan"})
_DMY_EVIDENCE_RE = re.compile(r"(?<!\d)(\d{1,2})[/.\-\s]{1,3}(\d{1,2})[/.\-\s]{1,3}\d\d(?:\d\d)?(?!\d)")
# The common shapes, tried before the general tokenizer (most cells of a month are one of these).
_FAST_DMY_RE = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")
_FAST_ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_FAST_D_MON_Y_RE = re.compile(r"(\d{1,2})[ \-]([^\W\d_]+)\.?[ \-](\d{4})")
_WORD_RE = re.compile(r"[^\W\d_]+")


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


def _words(text: str) -> str:
    return " ".join(_WORD_RE.findall(text.casefold()))


def is_placeholder_text(text: str, placeholders: Iterable[str] = ()) -> bool:
    """True for text a clerk writes instead of a date: no digit at all, only zeros, or a listed word first."""
    digits = [c for c in text if c.isdigit()]
    if not digits or all(c == "0" for c in digits):
        return True
    words = _words(text)
    return any(words == p or words.startswith(p + " ") for p in (_words(w) for w in placeholders) if p)


def _make(year: int, month: int, day: int, text: str) -> DateParse:
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1000 <= year <= 9999):
        return DateParse(None, "unparsed", text)
    try:
        return DateParse(dt.date(year, month, day), "ok", text)
    except ValueError:
        return DateParse(None, "impossible", text)


def _year(token: str, century_pivot: int) -> int | None:
    if len(token) == 4:
        return int(token)
    if len(token) == 2:
        return century_year(int(token), century_pivot)
    return None


def _day_month(first: int, second: int, order: DateOrder) -> tuple[int, int]:
    day, month = (first, second) if order == "DMY" else (second, first)
    if month > 12 >= day:  # the column's order cannot read it; the other order is the only reading
        day, month = month, day
    return day, month


def _serial(number: float, date1904: bool, text: str) -> DateParse:
    if not date1904 and int(number) == _LOTUS_LEAP_DAY:
        return DateParse(None, "impossible", text)
    parsed = excel_serial_to_date(number, date1904)
    return DateParse(parsed, "ok", text) if parsed else DateParse(None, "unparsed", text)


def _compact(digits: str, order: DateOrder, text: str) -> DateParse:
    """"19850312" (y m d) or "12031985" (d m y in the column's order): a date only when one reading exists."""
    readings = []
    if digits[:2] in ("19", "20"):
        readings.append(_make(int(digits[:4]), int(digits[4:6]), int(digits[6:]), text))
    if digits[4:6] in ("19", "20"):
        day, month = _day_month(int(digits[:2]), int(digits[2:4]), order)
        readings.append(_make(int(digits[4:]), month, day, text))
    dates = {r.value for r in readings if r.status == "ok"}
    if len(dates) == 1:
        return DateParse(dates.pop(), "ok", text)
    if not dates and any(r.status == "impossible" for r in readings):
        return DateParse(None, "impossible", text)
    return DateParse(None, "unparsed", text)


def _number(number: float, text: str, order: DateOrder, date1904: bool) -> DateParse:
    if number < 0 or math.isnan(number) or math.isinf(number):
        return DateParse(None, "unparsed", text)
    if number.is_integer():
        whole = int(number)
        if whole in _YEAR_ONLY:
            return DateParse(None, "unparsed", text)
        if 10_000_000 <= whole <= 99_999_999:
            return _compact(str(whole), order, text)
    if number > MAX_DATE_SERIAL:
        return DateParse(None, "unparsed", text)
    return _serial(number, date1904, text)


def _tokens(text: str, months: Mapping[str, int]) -> list[str | int] | None:
    """Digit tokens as text, month words as their number (int); None if a character or word is no date's."""
    leftover = _TOKEN_RE.sub("", text)
    if any(c not in _SEPARATORS for c in leftover):
        return None
    out: list[str | int] = []
    for token in _TOKEN_RE.findall(text):
        if token.isdigit():
            out.append(token)
            continue
        word = token.casefold()
        if word in _FILLER:
            continue
        if word not in months:
            return None
        out.append(months[word])
    return out


def _from_tokens(tokens: list[str | int], text: str, order: DateOrder, century_pivot: int,
                 date1904: bool) -> DateParse:
    shape = "".join("N" if isinstance(t, str) else "W" for t in tokens)
    if shape == "N":
        token = str(tokens[0])
        return _number(float(token), text, order, date1904) if len(token) == 8 else DateParse(None, "unparsed", text)
    if shape == "NNN":
        a, b, c = (str(t) for t in tokens)
        if len(a) == 4 and len(b) <= 2 and len(c) <= 2:  # ISO, y/m/d
            return _make(int(a), int(b), int(c), text)
        year = _year(c, century_pivot)
        if year is None or len(a) > 2 or len(b) > 2:
            return DateParse(None, "unparsed", text)
        day, month = _day_month(int(a), int(b), order)
        return _make(year, month, day, text)
    if shape == "NWN":
        a, month, c = str(tokens[0]), int(tokens[1]), str(tokens[2])
        if len(a) == 4 and len(c) <= 2:  # "1985 Maret 12"
            return _make(int(a), month, int(c), text)
        year = _year(c, century_pivot)
        return _make(year, month, int(a), text) if year and len(a) <= 2 else DateParse(None, "unparsed", text)
    if shape == "WNN":  # "August 5, 2025"
        month, b, c = int(tokens[0]), str(tokens[1]), str(tokens[2])
        year = _year(c, century_pivot)
        return _make(year, month, int(b), text) if year and len(b) <= 2 else DateParse(None, "unparsed", text)
    return DateParse(None, "unparsed", text)


def _fast(text: str, order: DateOrder, months: Mapping[str, int]) -> DateParse | None:
    if m := _FAST_DMY_RE.fullmatch(text):
        day, month = _day_month(int(m[1]), int(m[3]), order)
        parsed = _make(int(m[4]), month, day, text)
    elif m := _FAST_ISO_RE.fullmatch(text):
        parsed = _make(int(m[1]), int(m[2]), int(m[3]), text)
    elif (m := _FAST_D_MON_Y_RE.fullmatch(text)) and (named := months.get(m[2].casefold())):
        parsed = _make(int(m[3]), named, int(m[1]), text)
    else:
        return None
    return parsed if parsed.status == "ok" else None  # zeros, impossible days: the full path decides


def parse_date_text(text: str, *, order: DateOrder = "DMY", date1904: bool = False, months: Mapping[str, int],
                    placeholders: Iterable[str] = (), century_pivot: int = DEFAULT_CENTURY_PIVOT) -> DateParse:
    """Parse the text of one date cell (already trimmed to single spaces)."""
    if not text:
        return BLANK
    if fast := _fast(text, order, months):
        return fast
    if is_placeholder_text(text):
        return DateParse(None, "placeholder", text)
    if _NUMBER_RE.match(text):  # a serial or compact date that went through CSV or a text cell
        if len(text) == 8 and text.isdigit():
            return _compact(text, order, text)
        return _number(float(text.replace(",", ".")), text, order, date1904)
    body = _TIME_RE.sub("", _WEEKDAY_RE.sub("", text)).strip()
    tokens = _tokens(body, months)
    parsed = (_from_tokens(tokens, text, order, century_pivot, date1904) if tokens
              else DateParse(None, "unparsed", text))
    if parsed.status == "unparsed" and is_placeholder_text(text, placeholders):
        return DateParse(None, "placeholder", text)
    return parsed


def cell_date_text(value: object) -> str | None:
    """The text of a non-date cell as the date parser reads it: single spaces, integral floats without ``.0``."""
    if isinstance(value, str):
        return " ".join(value.split()) or None
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    return " ".join(str(value).split()) or None


def parse_date_value(value: object, *, order: DateOrder = "DMY", date1904: bool = False, months: Mapping[str, int],
                     placeholders: Iterable[str] = (), century_pivot: int = DEFAULT_CENTURY_PIVOT) -> DateParse:
    """Parse one date cell of any type (date, datetime, Excel serial, text in any format the module knows)."""
    if isinstance(value, dt.datetime):
        return DateParse(value.date(), "ok", None)
    if isinstance(value, dt.date):
        return DateParse(value, "ok", None)
    if isinstance(value, bool):
        return DateParse(None, "unparsed", "TRUE" if value else "FALSE")
    text = cell_date_text(value)
    if text is None:
        return BLANK
    if isinstance(value, (int, float)):
        if value == 0:
            return DateParse(None, "placeholder", text)
        return _number(float(value), text, order, date1904)
    if not isinstance(value, str):  # a time or timedelta cell is not a date
        return DateParse(None, "unparsed", text)
    return parse_date_text(text, order=order, date1904=date1904, months=months, placeholders=placeholders,
                           century_pivot=century_pivot)


# --- Column order ------------------------------------------------------------------------------------------
def order_evidence(text: str) -> set[DateOrder]:
    """Orders that the numeric dates in ``text`` prove: a first part > 12 proves DMY, a second part > 12 MDY."""
    found: set[DateOrder] = set()
    if len(text) < 6:  # "1/2/34" is the shortest numeric date
        return found
    for first, second in _DMY_EVIDENCE_RE.findall(text):
        a, b = int(first), int(second)
        if 12 < a <= 31 and 1 <= b <= 12:
            found.add("DMY")
        elif 12 < b <= 31 and 1 <= a <= 12:
            found.add("MDY")
    return found


def column_evidence(texts: Iterable[str]) -> set[DateOrder]:
    """Every order some text of a column proves (stops once both are proven)."""
    found: set[DateOrder] = set()
    for text in set(texts):  # a column repeats its dates; evidence is per distinct text
        if isinstance(text, str):
            found |= order_evidence(text)
            if len(found) > 1:
                break
    return found


def order_of(evidence: set[DateOrder]) -> DateOrder | None:
    """The one proven order, or None when evidence is missing or contradicting."""
    return next(iter(evidence)) if len(evidence) == 1 else None


def infer_order(texts: Iterable[str]) -> DateOrder | None:
    """The day/month order a column's texts prove, or None when they prove none or contradict each other."""
    return order_of(column_evidence(texts))


# --- Ranges and place + date -------------------------------------------------------------------------------
# Words only between spaces ("to" is inside "Oktober"); s/d, s.d. and dashes may touch the dates.
_RANGE_SPLIT_RE = re.compile(
    r"\s+(?:sampai\s+dengan|sampai|hingga|sd|to|until|till|s\.d)\s+"
    r"|\s*(?:s\s*/\s*d\.?|s\s*\.\s*d\s*\.?|s\s*-\s*d|—|–|~)\s*", re.IGNORECASE)
_RANGE_DASH_RE = re.compile(r"^(.+?\d)\s+-\s+(\d.+)$")


def split_range_text(text: str) -> tuple[str, str] | None:
    """The two sides of a range cell ("01-01-2025 s/d 31-12-2025"), or None when it is no range."""
    parts = _RANGE_SPLIT_RE.split(text, maxsplit=1)
    if len(parts) == 2:
        return parts[0].strip(), parts[1].strip()
    if m := _RANGE_DASH_RE.match(text):
        return m[1].strip(), m[2].strip()
    return None


def parse_date_range(value: object, *, order: DateOrder = "DMY", date1904: bool = False,
                     months: Mapping[str, int], placeholders: Iterable[str] = (),
                     century_pivot: int = DEFAULT_CENTURY_PIVOT) -> tuple[DateParse, DateParse]:
    """(start, end) of a range cell; a cell that is no range fails both sides with its status."""
    kwargs = {"order": order, "date1904": date1904, "months": months, "placeholders": placeholders,
              "century_pivot": century_pivot}
    if not isinstance(value, str):
        whole = parse_date_value(value, **kwargs)  # type: ignore[arg-type]
        failed = whole if whole.status != "ok" else DateParse(None, "unparsed", whole.text or str(value))
        return failed, failed
    text = cell_date_text(value)
    if text is None:
        return BLANK, BLANK
    sides = split_range_text(text)
    if sides is None:
        whole = parse_date_text(text, **kwargs)  # type: ignore[arg-type]
        failed = whole if whole.status in ("placeholder", "blank") else DateParse(None, "unparsed", text)
        return failed, failed
    start = parse_date_text(sides[0], **kwargs)  # type: ignore[arg-type]
    end = parse_date_text(sides[1], **kwargs)  # type: ignore[arg-type]
    return start, end


_PLACE_DATE_RE = re.compile(
    r"^(?P<place>.*?)[\s,;/]*(?P<date>\d{1,4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,4}"
    r"|\d{1,2}(?:st|nd|rd|th)?[\s\-/.]+[^\W\d_]+\.?[\s\-/.,]+\d{2,4}"
    r"|[^\W\d_]+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{8}|\d{5})$", re.IGNORECASE)
_FIRST_DIGIT_RE = re.compile(r"\d")


def split_place_date(value: object, *, order: DateOrder = "DMY", date1904: bool = False,
                     months: Mapping[str, int], placeholders: Iterable[str] = (),
                     century_pivot: int = DEFAULT_CENTURY_PIVOT) -> tuple[str | None, DateParse]:
    """(place, date) of a "Tempat/Tgl Lahir" cell: "Beijing, 12-03-1985", "BEIJING 12 MARET 1985", "Beijing/12-3-1985"."""
    kwargs = {"order": order, "date1904": date1904, "months": months, "placeholders": placeholders,
              "century_pivot": century_pivot}
    if not isinstance(value, str):
        return None, parse_date_value(value, **kwargs)  # type: ignore[arg-type]
    text = cell_date_text(value)
    if text is None:
        return None, BLANK
    if not _has_digit(text) and "," not in text:
        words = _words(text)
        if not words or words in {_words(p) for p in placeholders}:
            return None, DateParse(None, "placeholder", text)
        return text, BLANK  # only a place
    if m := _PLACE_DATE_RE.match(text):
        place, date_text = m["place"], m["date"]
    elif "," in text:
        place, _, date_text = text.rpartition(",")
    else:  # "Beijing 1985": the date part starts at the first digit
        cut = _FIRST_DIGIT_RE.search(text).start()  # type: ignore[union-attr]
        place, date_text = text[:cut], text[cut:]
    return place.strip(" ,;/") or None, parse_date_text(date_text.strip(), **kwargs)  # type: ignore[arg-type]


# --- Column statuses ---------------------------------------------------------------------------------------
def date_status(value: object, *, order: DateOrder = "DMY", date1904: bool = False, months: Mapping[str, int],
                placeholders: Iterable[str] = (), century_pivot: int = DEFAULT_CENTURY_PIVOT,
                part: RangePart | None = None) -> DateStatus:
    """Status of one date cell, a range's side (``part``) or a place+date cell's date."""
    kwargs = {"order": order, "date1904": date1904, "months": months, "placeholders": placeholders,
              "century_pivot": century_pivot}
    if part is not None and isinstance(value, str):  # a range cell: one side's status
        start, end = parse_date_range(value, **kwargs)  # type: ignore[arg-type]
        return (start if part == "start" else end).status
    single = parse_date_value(value, **kwargs)  # type: ignore[arg-type]
    if single.status != "unparsed" or not isinstance(value, str):
        return single.status
    text = single.text or ""
    if split_range_text(text) is not None:
        start, end = parse_date_range(value, **kwargs)  # type: ignore[arg-type]
        worst = [s.status for s in (start, end) if s.status != "ok"]
        return "unparsed" if "unparsed" in worst else worst[0] if worst else "ok"
    _, date = split_place_date(value, **kwargs)  # type: ignore[arg-type]
    return date.status if date.status != "blank" else "unparsed"


def date_statuses(values: Iterable[object], *, months: Mapping[str, int], placeholders: Iterable[str] = (),
                  order: DateOrder | None = None, date1904: bool = False,
                  century_pivot: int = DEFAULT_CENTURY_PIVOT, part: RangePart | None = None) -> list[DateStatus]:
    """Status of every cell of one date column ("ok", "blank", "placeholder", "impossible", "unparsed").

    The order is inferred from the column's own texts when not given (DMY without evidence). Feed it the raw
    cells, or a read-rows ``F_unparsed`` column to tell a placeholder (empty it, warn) from an impossible or
    unparsed date (empty it, flag an error); for ``rptka_start``/``rptka_end`` pass ``part``.
    """
    cells = list(values)
    placeholders = tuple(placeholders)
    if order is None:
        order = infer_order(c for c in cells if isinstance(c, str)) or "DMY"
    return [date_status(c, order=order, date1904=date1904, months=months, placeholders=placeholders,
                        century_pivot=century_pivot, part=part) for c in cells]

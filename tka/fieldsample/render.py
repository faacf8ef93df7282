"""How one clerk types a true value into a cell: dates, names, passports, countries, kecamatan, blanks."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from tka.fieldsample.spelling import (
    COUNTRIES,
    KECAMATAN,
    KECAMATAN_TYPOS,
    MONTHS_EN_SHORT,
    MONTHS_ID,
    MONTHS_ID_NEW,
    MONTHS_ID_SHORT,
    PLACEHOLDERS,
    WEEKDAYS_ID,
)
from tka.fieldsample.world import Person

Cell = str | int | float | dt.date | None
EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_STYLES = ("dmy-", "dmy/", "dmy.", "long", "short", "en", "iso", "serial", "serialtext", "weekday", "cell")


@dataclass
class Habits:
    """One clerk's habits for one file."""

    date_style: str
    us_dates: bool
    country_style: int  # 0 Indonesian, 1 English, 2 the three-letter code, 3 anything
    title_case_names: bool
    placeholder_rate: float
    typo_rate: float
    dirty_birth_rate: float
    text_only: bool  # CSV: no typed cells at all


def habits_for(rng: random.Random, *, us_dates: bool = False, placeholder_rate: float = 0.03,
               text_only: bool = False) -> Habits:
    """Draw a clerk."""
    styles = [s for s in DATE_STYLES if not (text_only and s in ("cell", "serial"))]
    return Habits(date_style=rng.choice(styles), us_dates=us_dates, country_style=rng.choice((0, 0, 1, 2, 3)),
                  title_case_names=rng.random() < 0.2, placeholder_rate=placeholder_rate,
                  typo_rate=rng.choice((0.01, 0.02, 0.03)), dirty_birth_rate=rng.choice((0.01, 0.02, 0.04)),
                  text_only=text_only)


def placeholder(rng: random.Random) -> str:
    """A clerk's way of saying "not yet" or "none"."""
    return rng.choice(PLACEHOLDERS)


def date_text(rng: random.Random, d: dt.date, style: str, *, us: bool = False, old_spelling: bool = True) -> Cell:
    """A date as this clerk types it."""
    if us:
        return rng.choice((f"{d.month:02d}/{d.day:02d}/{d.year}", f"{d.month}/{d.day}/{d.year}"))
    months = MONTHS_ID if old_spelling else MONTHS_ID_NEW
    if style == "dmy-":
        return f"{d.day:02d}-{d.month:02d}-{d.year}"
    if style == "dmy/":
        return f"{d.day}/{d.month}/{d.year % 100:02d}"
    if style == "dmy.":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if style == "long":
        return f"{d.day} {months[d.month - 1]} {d.year}"
    if style == "short":
        return f"{d.day} {MONTHS_ID_SHORT[d.month - 1]} {d.year}"
    if style == "en":
        return f"{MONTHS_EN_SHORT[d.month - 1]} {d.day}, {d.year}"
    if style == "iso":
        return d.isoformat()
    if style == "serial":
        return (d - EXCEL_EPOCH).days
    if style == "serialtext":
        return str((d - EXCEL_EPOCH).days)
    if style == "weekday":
        return f"{WEEKDAYS_ID[d.weekday()]}, {d.day:02d} {months[d.month - 1]} {d.year}"
    return d


def any_date(rng: random.Random, d: dt.date, h: Habits) -> Cell:
    """Mostly the clerk's own style, now and then another one."""
    style = h.date_style
    if rng.random() < 0.12:
        style = rng.choice([s for s in DATE_STYLES if not (h.text_only and s in ("cell", "serial"))])
    return date_text(rng, d, style, us=h.us_dates, old_spelling=rng.random() < 0.5)


def birth_date(rng: random.Random, d: dt.date, h: Habits) -> Cell:
    """A birth date, sometimes dirty: impossible day, a 2085 typo, day and month swapped, the year alone."""
    if rng.random() < h.dirty_birth_rate:
        kind = rng.choice(("impossible", "future", "swap", "year"))
        if kind == "impossible":
            return f"{rng.choice((30, 31))} Pebruari {d.year}"
        if kind == "future" and d.year < 2000:
            return date_text(rng, d.replace(year=d.year + 100), "dmy-" if h.date_style == "cell" else h.date_style,
                             us=h.us_dates)
        if kind == "swap" and d.day <= 12 and d.day != d.month:
            return date_text(rng, dt.date(d.year, d.day, d.month), "dmy-" if h.date_style in ("cell", "serial")
                             else h.date_style, us=h.us_dates)
        return str(d.year)
    return any_date(rng, d, h)


def permit_date(rng: random.Random, d: dt.date, h: Habits) -> Cell:
    """A permit date, or a placeholder when the permit is still being processed."""
    if rng.random() < h.placeholder_rate / 2:
        return placeholder(rng)
    return any_date(rng, d, h)


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 5:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1:] if rng.random() < 0.5 else text[:i] + text[i] + text[i:]


def country(rng: random.Random, iso3: str, h: Habits) -> str:
    """A nationality as this office writes it."""
    names = COUNTRIES[iso3]
    style = h.country_style if rng.random() < 0.85 else 3
    if style == 0:
        text = names[0]
    elif style == 1:
        text = names[1] if len(names) > 1 else names[0]
    elif style == 2:
        text = next((n for n in names if len(n) == 3 and n.isupper()), names[0])
    else:
        text = rng.choice(names)
    if rng.random() < h.typo_rate and not text.isupper():
        text = _typo(rng, text)
    return text.upper() if rng.random() < 0.15 else text


def passport_text(rng: random.Random, number: str, h: Habits) -> str:
    """A passport number with the clerk's slips: look-alike characters, a lost or doubled character, spaces."""
    if rng.random() < h.placeholder_rate:
        return placeholder(rng)
    if rng.random() < h.typo_rate:
        kind = rng.choice(("look", "drop", "add"))
        if kind == "look":
            swaps = {"0": "O", "O": "0", "1": "I", "I": "1"}
            spots = [i for i, c in enumerate(number) if c in swaps]
            if spots:
                i = rng.choice(spots)
                number = number[:i] + swaps[number[i]] + number[i + 1:]
        elif kind == "drop":
            i = rng.randrange(1, len(number))
            number = number[:i] + number[i + 1:]
        else:
            i = rng.randrange(1, len(number))
            number = number[:i] + rng.choice("0123456789") + number[i:]
    if rng.random() < 0.03:
        return number[:1] + " " + number[1:]
    return number.lower() if rng.random() < 0.01 else number


def identifier(rng: random.Random, value: str, h: Habits) -> str:
    """A KITAS, RPTKA or notifikasi number, or a placeholder while it is in process."""
    if not value or rng.random() < h.placeholder_rate:
        return placeholder(rng)
    return value


def person_name(rng: random.Random, p: Person, h: Habits) -> str:
    """A name as the clerk copied it: other orders, prefixes, a dropped middle name, split syllables."""
    east = p.nationality in ("CHN", "KOR", "JPN", "TWN")
    given = p.given
    if east and len(given) > 5 and rng.random() < 0.06:
        cut = len(given) // 2
        given = given[:cut] + " " + given[cut:]
    middle = p.middle if rng.random() < 0.6 else ""
    order = [p.family, given] if east else [given, middle, p.family]
    if rng.random() < 0.1:
        order = [given, p.family] if east else [p.family, given, middle]
    text = " ".join(x for x in order if x)
    if rng.random() < 0.03:
        text = f"{p.family}, {given}"
    if rng.random() < 0.05:
        text = (("MR " if p.sex == "L" else "MS ") if rng.random() < 0.5 else ("Mr. " if p.sex == "L" else "Mrs. ")
                ) + text
    return text.title() if h.title_case_names else text


def sex_text(rng: random.Random, sex: str, style: int) -> str:
    """Sex the way the form asks for it."""
    return (sex, {"L": "Laki-laki", "P": "Perempuan"}[sex], {"L": "M", "P": "F"}[sex],
            {"L": "Pria", "P": "Wanita"}[sex])[style]


def kecamatan_text(rng: random.Random, code: str, h: Habits) -> str:
    """A kecamatan name, now and then misspelt or with its prefix."""
    name = KECAMATAN[code]
    if code in KECAMATAN_TYPOS and rng.random() < 0.1:
        name = rng.choice(KECAMATAN_TYPOS[code])
    if rng.random() < 0.15:
        name = "Kec. " + name
    return name.upper() if rng.random() < 0.3 else name


def company_text(rng: random.Random, name: str) -> str:
    """A company name with the many ways of writing PT."""
    core = name.removeprefix("PT ")
    form = rng.random()
    if form < 0.5:
        return name
    if form < 0.65:
        return "PT. " + core
    if form < 0.75:
        return core + ", PT"
    if form < 0.85:
        return "P.T. " + core.title()
    return core.title() if form < 0.93 else "PT " + core.title()

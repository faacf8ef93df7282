"""Masking of personal data (passport numbers, names, birth dates) for logs, alerts and conflict reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

# Fields of the canonical frames that identify a person; ``mask_record`` masks them.
PERSONAL_FIELDS: frozenset[str] = frozenset(
    {
        "passport_no",
        "passport_raw",
        "kitas_no",
        "notifikasi_no",
        "name",
        "name_raw",
        "name_native",
        "birth_date",
        "birth_place",
    }
)
_NAME_FIELDS = frozenset({"name", "name_raw", "name_native"})


def mask(value: object) -> str | None:
    """Mask an identifier: first 3 and last 2 characters of 7+ chars kept ("E12****78"), else all stars."""
    if value is None:
        return None
    text = str(value)
    if len(text) >= 7:
        # A fixed number of stars so the mask does not reveal the length either.
        return f"{text[:3]}****{text[-2:]}"
    return "*" * len(text)


def mask_name(value: object) -> str | None:
    """Mask a personal name: first token kept, later tokens reduced to their initial ("GAO X*****")."""
    if value is None:
        return None
    tokens = str(value).split()
    if not tokens:
        return ""
    return " ".join([tokens[0], *(f"{t[0]}*****" for t in tokens[1:])])


def mask_date(value: object) -> str | None:
    """Mask a birth date down to its year ("1985-**-**")."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return f"{value.year:04d}-**-**"
    text = str(value)
    return f"{text[:4]}-**-**" if len(text) >= 4 else "*" * len(text)


def mask_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` with every personal field masked, safe to log."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key not in PERSONAL_FIELDS or value is None:
            out[key] = value
        elif key in _NAME_FIELDS or key == "birth_place":
            out[key] = mask_name(value)
        elif key == "birth_date":
            out[key] = mask_date(value)
        else:
            out[key] = mask(value)
    return out


def mask_issue_value(column: str | None, value: object) -> str | None:
    """An issue's raw value for display: masked when ``column`` holds personal data."""
    if value is None:
        return None
    if column in PERSONAL_FIELDS:
        return mask_record({column: value})[column]
    return str(value)

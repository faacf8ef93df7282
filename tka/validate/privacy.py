"""Masking of personal data for logs, summaries and steward exports (UU 27/2022 PDP)."""

from __future__ import annotations

import datetime as dt

# Canonical fields that identify a person; their values never leave the pipeline unmasked except in the
# feedback workbook that goes back to the agency that sent them.
PERSONAL_FIELDS: frozenset[str] = frozenset({
    "name", "name_raw", "name_native", "passport_no", "passport_raw", "birth_date", "birth_date_unparsed",
    "birth_place", "kitas_no", "passport_expiry_unparsed",
})


def mask(value: object) -> str | None:
    """Mask a personal value: keep 3 leading and 2 trailing characters, e.g. ``E12345678`` -> ``E12****78``."""
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if len(text) < 6:
        return "****"
    return f"{text[:3]}****{text[-2:]}"


def mask_if_personal(column: str | None, value: object) -> object:
    """``mask(value)`` when ``column`` holds personal data, else ``value`` unchanged."""
    return mask(value) if column in PERSONAL_FIELDS else value

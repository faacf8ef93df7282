"""Masking of personal values in issues (reuses ``tka.privacy``); issue columns are canonical field names."""

from __future__ import annotations

from tka.privacy import PERSONAL_FIELDS, mask_record


def mask_issue_value(column: str | None, value: object) -> object:
    """``value`` masked the way ``tka.privacy`` masks ``column`` when that column holds personal data."""
    if column is None or column not in PERSONAL_FIELDS or value is None:
        return value
    return mask_record({column: value})[column]

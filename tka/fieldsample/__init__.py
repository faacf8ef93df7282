"""A second, independent sample-month writer ("field months"): its own spellings, habits and truth."""

from tka.fieldsample.month import generate_field_month

__all__ = ["generate_field_month"]

"""Validation with Great Expectations and the steward's review material (feedback workbooks, exports)."""

import pytest

from flows.backfill import period_range


def test_period_range_is_inclusive_and_ordered_across_a_year_end():
    assert period_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_single_period_range():
    assert period_range("2025-08", "2025-08") == ["2025-08"]


def test_reversed_range_is_refused():
    with pytest.raises(ValueError, match="lebih akhir"):
        period_range("2025-09", "2025-08")

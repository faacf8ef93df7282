import pytest

from tka.settings import Settings, previous_period, validate_period


@pytest.mark.parametrize("period", ["2025-08", "2030-12", "2024-01"])
def test_valid_periods_pass_through(period):
    assert validate_period(period) == period


@pytest.mark.parametrize("period", ["2025-8", "2025-13", "2025-00", "25-08", "2025/08", "", "1999-01"])
def test_malformed_period_is_rejected_with_the_expected_format(period):
    with pytest.raises(ValueError, match="format YYYY-MM"):
        validate_period(period)


@pytest.mark.parametrize(("year", "month", "expected"), [(2025, 9, "2025-08"), (2026, 1, "2025-12")])
def test_previous_period_crosses_year_end(year, month, expected):
    assert previous_period(year, month) == expected


def test_settings_come_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TKA_DRIVE_URL", str(tmp_path))
    monkeypatch.setenv("TKA_WAREHOUSE_URL", "sqlite:///x.db")
    monkeypatch.setenv("TKA_ALERT_BLOCKS", "tka-webhook, tka-email")
    settings = Settings()
    assert (settings.drive_url, settings.warehouse_url) == (str(tmp_path), "sqlite:///x.db")
    assert settings.alert_blocks == ["tka-webhook", "tka-email"]

"""Policy loading, deadlines across time zones and month ends, escalation levels."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from tka.compliance.policy import (
    EscalationStep,
    MustReportMode,
    Policy,
    escalation_level,
    load_policy,
    next_period,
    prior_period,
    report_deadline,
)
from tka.settings import PROJECT_ROOT


def test_project_policy_loads() -> None:
    policy = load_policy(PROJECT_ROOT / "config" / "policy.yaml")
    assert policy.must_report_mode is MustReportMode.REGISTRY_OR_EMPLOYING
    assert (policy.due_day, policy.timezone, policy.grace_days, policy.dry_run) == (10, "Asia/Makassar", 0, False)
    assert policy.channels == ("tka-webhook", "tka-email")
    assert policy.escalation == (EscalationStep(level=1, consecutive_missed=2),
                                 EscalationStep(level=2, consecutive_missed=3))


def test_policy_rejects_unknown_keys_and_bad_values(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("due_day: 10\nduedays: 3\n")
    with pytest.raises(ValidationError):
        load_policy(path)
    with pytest.raises(ValidationError):
        Policy(timezone="Asia/Nowhere")
    with pytest.raises(ValidationError):
        Policy(escalation=(EscalationStep(level=1, consecutive_missed=3), EscalationStep(level=2, consecutive_missed=2)))


def test_deadline_is_due_day_end_in_wita_as_utc() -> None:
    assert report_deadline("2025-08", Policy(due_day=10)) == datetime(2025, 9, 10, 15, 59, 59, tzinfo=UTC)


def test_december_deadline_is_in_january_next_year() -> None:
    assert report_deadline("2025-12", Policy(due_day=10)) == datetime(2026, 1, 10, 15, 59, 59, tzinfo=UTC)
    assert next_period("2025-12") == "2026-01" and prior_period("2026-01") == "2025-12"


def test_due_day_past_month_end_is_clamped_and_grace_added() -> None:
    # Period January -> due in February (28 days in 2025).
    assert report_deadline("2025-01", Policy(due_day=31)) == datetime(2025, 2, 28, 15, 59, 59, tzinfo=UTC)
    assert report_deadline("2024-01", Policy(due_day=31)) == datetime(2024, 2, 29, 15, 59, 59, tzinfo=UTC)
    assert report_deadline("2025-08", Policy(due_day=10, grace_days=3)) == datetime(2025, 9, 13, 15, 59, 59,
                                                                                    tzinfo=UTC)


def test_deadline_follows_the_policy_timezone() -> None:
    assert report_deadline("2025-08", Policy(timezone="Asia/Jakarta")) == datetime(2025, 9, 10, 16, 59, 59,
                                                                                   tzinfo=UTC)


@pytest.mark.parametrize(("missed", "level"), [(0, 0), (1, 0), (2, 1), (3, 2), (7, 2)])
def test_escalation_level(missed: int, level: int) -> None:
    policy = Policy(escalation=(EscalationStep(level=1, consecutive_missed=2),
                                EscalationStep(level=2, consecutive_missed=3)))
    assert escalation_level(missed, policy) == level

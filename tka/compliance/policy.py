"""The Kesbangpol reporting policy (config/policy.yaml) and the report deadline it implies."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tka.settings import validate_period


class MustReportMode(StrEnum):
    REGISTRY_FLAG = "registry_flag"                  # only the registry's "Wajib Lapor" flag
    REGISTRY_OR_EMPLOYING = "registry_or_employing"  # also companies other sources show employing TKA


class EscalationStep(BaseModel):
    """Reach ``level`` once a company has missed ``consecutive_missed`` months in a row."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: int = Field(ge=1)
    consecutive_missed: int = Field(ge=1)


class Policy(BaseModel):
    """Who must report, by when, how misses escalate and where alerts go."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    must_report_mode: MustReportMode = MustReportMode.REGISTRY_FLAG
    due_day: int = Field(default=10, ge=1, le=31)
    timezone: str = "Asia/Makassar"
    grace_days: int = Field(default=0, ge=0)
    escalation: tuple[EscalationStep, ...] = ()
    channels: tuple[str, ...] = ()
    dry_run: bool = False
    name_match_min_score: float = Field(default=95, ge=80, le=100)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _monotonic_escalation(self) -> Policy:
        # Levels must rise with the number of misses, otherwise "the highest level reached" is ambiguous.
        steps = sorted(self.escalation, key=lambda s: s.level)
        thresholds = [s.consecutive_missed for s in steps]
        if len({s.level for s in steps}) != len(steps) or thresholds != sorted(set(thresholds)):
            raise ValueError("escalation levels must be unique and need strictly more missed months per level")
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The policy time zone as a ZoneInfo."""
        return ZoneInfo(self.timezone)


def load_policy(path: str | Path) -> Policy:
    """Read and validate config/policy.yaml."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return Policy.model_validate(data)


def period_bounds(period: str) -> tuple[int, int]:
    """(year, month) of a YYYY-MM period."""
    validate_period(period)
    year, month = period.split("-")
    return int(year), int(month)


def next_period(period: str) -> str:
    """The month after ``period`` as YYYY-MM."""
    year, month = period_bounds(period)
    year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return f"{year:04d}-{month:02d}"


def prior_period(period: str) -> str:
    """The month before ``period`` as YYYY-MM."""
    year, month = period_bounds(period)
    year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return f"{year:04d}-{month:02d}"


def report_deadline(period: str, policy: Policy) -> datetime:
    """Last instant (aware, UTC) a report for ``period`` counts as on time, grace days included."""
    year, month = period_bounds(next_period(period))
    # A due day past the month's end (e.g. 31 in February) means the month's last day.
    day = min(policy.due_day, calendar.monthrange(year, month)[1])
    local_end = datetime.combine(date(year, month, day), time(23, 59, 59), tzinfo=policy.zone)
    return (local_end + timedelta(days=policy.grace_days)).astimezone(UTC)


def escalation_level(consecutive_missed: int, policy: Policy) -> int:
    """Highest escalation level whose threshold the run of missed months reaches (0 = none)."""
    reached = [s.level for s in policy.escalation if consecutive_missed >= s.consecutive_missed]
    return max(reached, default=0)

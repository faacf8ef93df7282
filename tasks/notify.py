"""Operator alerts: tell the alert channels when a run fails or crashes (period and stage, no personal data)."""

from __future__ import annotations

from typing import Any

from tka.settings import Settings


def _channels() -> list[str]:
    from tka.compliance import load_policy

    settings = Settings()
    if settings.alert_blocks:
        return list(settings.alert_blocks)
    return list(load_policy(settings.config_dir / "policy.yaml").channels)


def _dry_run(flow_run: Any) -> bool:
    """Dry run if the run asked for it (its ``dry_run_alerts`` parameter, else TKA_DRY_RUN_ALERTS) or the policy does."""
    from tka.compliance import load_policy

    settings = Settings()
    asked = (getattr(flow_run, "parameters", None) or {}).get("dry_run_alerts")
    if asked is None:
        asked = settings.dry_run_alerts
    return bool(asked) or bool(load_policy(settings.config_dir / "policy.yaml").dry_run)


def operator_alert(flow: Any, flow_run: Any, state: Any) -> None:
    """Prefect state hook for on_failure / on_crashed."""
    from tka.compliance import make_failure_hook

    dry_run = _dry_run(flow_run)
    make_failure_hook(_channels, lambda: dry_run)(flow, flow_run, state)

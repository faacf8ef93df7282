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


def operator_alert(flow: Any, flow_run: Any, state: Any) -> None:
    """Prefect state hook for on_failure / on_crashed."""
    from tka.compliance import make_failure_hook

    make_failure_hook(_channels)(flow, flow_run, state)

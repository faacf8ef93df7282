"""Operator alerts: tell the alert channels when a run fails or crashes (period and stage, no personal data)."""

from __future__ import annotations

from typing import Any

from prefect.logging import get_logger

from tka.settings import Settings


def _channels() -> list[str]:
    from tka.compliance import load_policy

    settings = Settings()
    if settings.alert_blocks:
        return list(settings.alert_blocks)
    return list(load_policy(settings.config_dir / "policy.yaml").channels)


def mark_failed(flow_run: Any) -> None:
    """Mark the run's warehouse row failed (a load it committed stays visible); never creates a warehouse."""
    from tka.credentials import connectable_url
    from tka.guards import parse_warehouse_url, sqlite_path
    from tka.warehouse import make_engine
    from tka.warehouse.runstate import mark_run_failed

    settings = Settings()
    url = (getattr(flow_run, "parameters", None) or {}).get("warehouse_url") or settings.warehouse_url
    parsed = parse_warehouse_url(url)
    path = sqlite_path(parsed) if parsed.get_backend_name() == "sqlite" else None
    if parsed.get_backend_name() == "sqlite" and (path is None or not path.is_file()):
        return
    engine = make_engine(connectable_url(url, settings.warehouse_password_secret))
    try:
        mark_run_failed(engine, str(flow_run.id))
    finally:
        engine.dispose()


def operator_alert(flow: Any, flow_run: Any, state: Any) -> None:
    """Prefect state hook for on_failure / on_crashed: tell the operators, then mark the run failed."""
    from tka.compliance import make_failure_hook

    make_failure_hook(_channels)(flow, flow_run, state)
    try:
        mark_failed(flow_run)
    except Exception:  # noqa: BLE001 - the warehouse may be what failed; the alert already went out
        get_logger("tka.notify").warning("Could not mark run %s failed in the warehouse",
                                         getattr(flow_run, "id", "?"), exc_info=True)

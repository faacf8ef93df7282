"""Which companies reported for the period, and the alert about those that did not."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from prefect import get_run_logger, task

from tasks._common import IO_RETRIES, STAGE, warehouse
from tka.pipeline import Compliance, ReadBatch, RunConfig, RunContext, Validated


@task(name="fetch-company-history", **STAGE, **IO_RETRIES)
def fetch_company_history(run: RunContext) -> pd.DataFrame:
    """Company report status of earlier periods (to count consecutive missed months)."""
    from tka.warehouse import previous_company_periods

    with warehouse(run) as engine:
        return previous_company_periods(engine, run.period)


@task(name="check-company-reports", **STAGE)
def check_company_reports(run: RunContext, config: RunConfig, batch: ReadBatch, validated: Validated,
                          history: pd.DataFrame) -> Compliance:
    """Status of every company that must report: received, late, missing, pending; and the digest."""
    from tka.compliance import build_digest, compute_company_status, employers_not_in_registry, files_frame

    # A registry row whose NIB was emptied (nib_format) names no company the warehouse can key; its issue stays.
    rows = validated.registry_rows
    registry = rows[(rows["status"] == "accepted") & rows["company_nib"].notna()]
    files = files_frame([{**dataclasses.asdict(f), "quarantine": batch.results[path].quarantine}
                         for path, f in batch.files.items()])
    status = compute_company_status(registry, validated.worker_rows, files, history, run.period,
                                    datetime.now(UTC), config.policy)
    outsiders = employers_not_in_registry(registry, validated.worker_rows)
    digest = build_digest(status, run.period, outsiders, config.policy)
    missing = int((status["status"] == "missing").sum())
    get_run_logger().info("Company reports for %s: %d missing, %d employers not in the registry", run.period,
                          missing, len(outsiders))
    companies = registry.drop_duplicates("company_nib", keep="last")
    return Compliance(company_period=status, companies=companies, not_in_registry=outsiders, digest=digest)


@task(name="send-missing-report-alerts", **STAGE, **IO_RETRIES)
def send_missing_report_alerts(run: RunContext, config: RunConfig, compliance: Compliance) -> list[dict[str, Any]]:
    """Send the digest once per channel; a re-run sends again only when the digest changed or escalated.

    The load is already committed: a channel that fails to deliver marks the alert (run.alert_status), never
    the load, as failed. A channel found missing at the start (TKA_MISSING_CHANNELS=warn) gets the digest printed.
    """
    from tka.compliance import plan_alerts, send
    from tka.compliance.channels import mask_personal
    from tka.warehouse import alert_ledger_entries, record_alert
    from tka.warehouse.runstate import alert_status, record_alert_status

    channels = list(run.alert_blocks) or list(config.policy.channels)
    # policy.yaml's dry_run holds for every run; TKA_DRY_RUN_ALERTS or the flow parameter turns it on per run.
    dry_run = run.dry_run_alerts or config.policy.dry_run
    logger = get_run_logger()
    sent: list[dict[str, Any]] = []
    outcome: dict[str, str] = {}
    with warehouse(run) as engine:
        todo = plan_alerts(compliance.digest, channels, alert_ledger_entries(engine, run.period), run.period)
        for alert in todo:
            printed = dry_run or alert.channel in run.missing_channels
            try:
                send(alert.channel, alert.subject, alert.body, dry_run=printed)
            except Exception as exc:  # noqa: BLE001 - a channel that fails must not undo or fail the load
                logger.error("Alert through %s failed after the load: %s", alert.channel,
                             mask_personal(f"{type(exc).__name__}: {exc}"))
                outcome[alert.channel] = f"failed: {type(exc).__name__}"
                sent.append({"channel": alert.channel, "dry_run": False, "failed": True})
                continue
            if not printed:
                record_alert(engine, alert.alert_key, alert.period, alert.channel, alert.digest_hash,
                             alert.payload, datetime.now(UTC))
            outcome[alert.channel] = ("dry_run" if dry_run else "printed") if printed else "sent"
            sent.append({"channel": alert.channel, "dry_run": printed})
        record_alert_status(engine, run.run_id, alert_status(outcome), outcome)
    if run.missing_channels:
        logger.warning("Alert channel(s) %s do not exist: the digest was printed, not sent",
                       ", ".join(run.missing_channels))
    logger.info("Alerts: %d to send over %s", len(sent), channels or "no channel configured")
    return sent


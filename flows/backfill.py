"""Operator flows: rebuild a range of periods in order, or reprocess one period ignoring cached work."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.monthly_ingest import Period, monthly_ingest
from tasks.notify import operator_alert


def period_range(start: str, end: str) -> list[str]:
    """Every period from ``start`` to ``end`` inclusive, in order (YYYY-MM strings)."""
    y, m = map(int, start.split("-"))
    ey, em = map(int, end.split("-"))
    if (y, m) > (ey, em):
        raise ValueError(f"Periode awal {start} lebih akhir dari periode akhir {end}.")
    out = []
    while (y, m) <= (ey, em):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m + 1) if m < 12 else (y + 1, 1)
    return out


@flow(name="backfill", on_failure=[operator_alert], on_crashed=[operator_alert], validate_parameters=True)
def backfill(start: Period, end: Period, drive_url: str | None = None, warehouse_url: str | None = None,
             dry_run_alerts: bool = True, allow_shrink: bool = False) -> list[dict[str, Any]]:
    """Ingest every period from ``start`` to ``end`` in order, each as its own monthly-ingest subflow."""
    return [monthly_ingest(period=p, drive_url=drive_url, warehouse_url=warehouse_url,
                           dry_run_alerts=dry_run_alerts, allow_shrink=allow_shrink) for p in period_range(start, end)]


@flow(name="reprocess", on_failure=[operator_alert], on_crashed=[operator_alert], validate_parameters=True)
def reprocess(period: Period, drive_url: str | None = None, warehouse_url: str | None = None,
              allow_shrink: bool = False) -> dict[str, Any]:
    """Re-run one period from scratch, ignoring cached reads (e.g. after a steward's decisions)."""
    return monthly_ingest(period=period, drive_url=drive_url, warehouse_url=warehouse_url, reprocess=True,
                          allow_shrink=allow_shrink)

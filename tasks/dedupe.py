"""Deduplicate workers across sources and months, and build each worker's month row."""

from __future__ import annotations

import pandas as pd
from prefect import get_run_logger, task

from tasks._common import IO_RETRIES, STAGE, warehouse
from tka.pipeline import Resolved, RunConfig, RunContext, Validated


@task(name="fetch-known-workers", **STAGE, **IO_RETRIES)
def fetch_known_workers(run: RunContext) -> pd.DataFrame:
    """Workers first seen before this period, so a returning worker keeps their id."""
    from tka.warehouse import known_workers

    with warehouse(run) as engine:
        return known_workers(engine, run.period)


@task(name="deduplicate-workers", **STAGE)
def deduplicate_workers(run: RunContext, config: RunConfig, validated: Validated,
                        known: pd.DataFrame) -> Resolved:
    """Match accepted worker rows to workers (with a reason per match) and pick each field's best source."""
    from tka.match import build_workers, resolve, survive

    rows = validated.worker_rows
    candidates = rows[(rows["status"] == "accepted") & (rows["person_kind"] != "dependant")]
    assignments = resolve(candidates, known, run.period, config.survivorship, validated.registry_rows)
    matched = _with_assignments(candidates, assignments)
    worker_month = survive(matched, run.period, config.survivorship)
    workers = build_workers(worker_month, known, run.period)
    reasons = assignments["match_reason"].str.split(":").str[-1].value_counts().to_dict()
    get_run_logger().info("%d accepted worker rows -> %d workers (%s)", len(candidates), len(worker_month),
                          ", ".join(f"{k}={v}" for k, v in sorted(reasons.items())))
    return Resolved(assignments=assignments, workers=workers, worker_month=worker_month)


def _with_assignments(candidates: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """The candidates with their worker_id and match_reason (a left one-to-one merge on record_key).

    Every candidate has exactly one assignment in the usual case, so the columns are taken by position; anything
    else goes through ``merge``, which raises on a repeated record key.
    """
    keys = candidates["record_key"]
    index = pd.Index(assignments["record_key"])
    if index.is_unique and keys.is_unique and not {"worker_id", "match_reason"} & set(candidates.columns):
        position = index.get_indexer(keys)
        if len(position) == len(index) and (position >= 0).all():
            return candidates.assign(worker_id=assignments["worker_id"].to_numpy()[position],
                                     match_reason=assignments["match_reason"].to_numpy()[position])
    return candidates.merge(assignments, on="record_key", how="left", validate="one_to_one")

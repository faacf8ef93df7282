"""Glue from the run's stage objects (tka.pipeline) to ``load_period`` inputs; duck-typed, no Prefect."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pandas as pd

ASSIGNMENT_COLUMNS = ("worker_id", "match_reason")


def _as_mapping(file: Any) -> dict[str, Any]:
    """A discovered file as a dict (accepts dicts, dataclasses and objects with ``as_dict()``)."""
    if isinstance(file, Mapping):
        return dict(file)
    if hasattr(file, "as_dict"):
        return dict(file.as_dict())
    if dataclasses.is_dataclass(file):
        return {f.name: getattr(file, f.name) for f in dataclasses.fields(file)}
    raise TypeError(f"cannot read file info from {type(file).__name__}")


def file_outcomes(selection: Any, batch: Any) -> list[dict[str, Any]]:
    """Ledger rows for every discovered file: superseded, quarantined (with reason) or loaded (rows read).

    ``selection`` has ``files`` and ``superseded`` ({path: replacing path}); ``batch.results`` maps a path to
    its read result (``rows``, ``quarantine``, ``detail``).
    """
    out = []
    replaced = getattr(getattr(batch, "revisions", None), "replaced", None) or {}
    shas = {f["path"]: f["sha256"] for f in map(_as_mapping, selection.files)}
    for file in selection.files:
        info = _as_mapping(file)
        result = batch.results.get(info["path"])
        if (replacement := replaced.get(info["path"])) is not None:
            info.update(status="superseded", superseded_by=shas.get(replacement.replaced_by),
                        superseded_reason=replacement.describe())
        elif info["path"] in selection.superseded:
            info.update(status="superseded")
        elif result is None:
            info.update(status="seen")  # listed but not read (should not happen in a complete run)
        elif result.quarantine:
            info.update(
                status="quarantined", quarantine_reason=result.quarantine, detail=result.detail or None
            )
        else:
            info.update(status="loaded", rows_read=len(result.rows), detail=result.detail or None)
        out.append(info)
    return out


def source_records(worker_rows: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """The validated worker rows with their worker id and match reason (None for rejected rows/dependants)."""
    rows = worker_rows.drop(columns=[c for c in ASSIGNMENT_COLUMNS if c in worker_rows.columns])
    if assignments is None or assignments.empty:
        return rows.assign(worker_id=None, match_reason=None)
    keep = assignments[["record_key", *ASSIGNMENT_COLUMNS]]
    return rows.merge(keep, on="record_key", how="left", validate="many_to_one")

"""Survivorship as it was before it was made fast (commit 027fa0a): the oracle of test_equivalence.

Kept verbatim (apart from this docstring) so that random frames can show that the fast survive() picks the
same values, sources, flags and conflicts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

import pandas as pd

from tka.match.config import MatchConfig
from tka.privacy import mask
from tka.warehouse.schema import WORKER_MONTH_FIELDS

# Identifiers masked in the conflicts JSON (it ends up in review material).
MASKED_IN_CONFLICTS: frozenset[str] = frozenset({"passport_no", "kitas_no"})
SUMMARY_COLUMNS = ["sources", "source_count", "record_count", "flags", "conflicts"]


def _present(series: pd.Series) -> pd.Series:
    """True where a value is present (not None/NaN and not an empty string)."""
    return series.notna() & (series.astype(object) != "")


def _pick(rows: pd.DataFrame, field: str, precedence: tuple[str, ...]) -> pd.Series:
    """Per worker_id, the index of the row that supplies ``field``: best-ranked source, then record order."""
    rank = {kind: i for i, kind in enumerate(precedence)}
    candidates = rows.loc[_present(rows[field]), ["worker_id", "source_kind", "_order"]]
    candidates = candidates.assign(_rank=candidates["source_kind"].map(rank).fillna(len(rank)))
    best = candidates.sort_values(["_rank", "_order"], kind="stable").drop_duplicates("worker_id")
    return pd.Series(best.index, index=best["worker_id"].to_numpy())


def _as_text(value: object) -> str:
    """Comparable text of a field value (dates as ISO)."""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _conflicts(rows: pd.DataFrame, fields: tuple[str, ...]) -> dict[str, str]:
    """worker_id -> JSON {field: sorted distinct values} for the fields on which the rows disagree."""
    found: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for field in fields:
        if field not in rows.columns:
            continue
        present = rows.loc[_present(rows[field]), ["worker_id", field]]
        values = present.assign(_v=present[field].map(_as_text))[["worker_id", "_v"]].drop_duplicates()
        counts = values.groupby("worker_id")["_v"].transform("size")
        for worker_id, group in values[counts > 1].groupby("worker_id", sort=True):
            distinct = sorted(group["_v"])
            found[str(worker_id)][field] = (
                [mask(v) for v in distinct] if field in MASKED_IN_CONFLICTS else distinct
            )
    return {w: json.dumps(c, ensure_ascii=False, sort_keys=True) for w, c in found.items()}


def survive(
    rows: pd.DataFrame, period: str | MatchConfig | None, config: MatchConfig | None = None
) -> pd.DataFrame:
    """worker_month rows from resolved rows: fields by precedence, sources, flags, conflicts.

    Called as ``survive(rows, period, config)`` (the output gets a ``period`` column) or ``survive(rows,
    config)``. ``rows`` carry ``worker_id`` (rows without one are ignored), ``source_kind``, the canonical
    fields and optionally ``flags`` and ``record_key`` (the tie-break within one source: smallest key first).
    """
    if isinstance(period, MatchConfig):
        period, config = None, period
    if config is None:
        raise TypeError("survive() needs a MatchConfig")
    result = _survive(rows, config)
    if period is not None:
        result.insert(0, "period", period)
    return result


def _survive(rows: pd.DataFrame, config: MatchConfig) -> pd.DataFrame:
    """survive() without the period column."""
    rows = rows.loc[rows["worker_id"].notna()].copy()
    columns = ["worker_id", *WORKER_MONTH_FIELDS, *SUMMARY_COLUMNS]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    for field in (*WORKER_MONTH_FIELDS, "flags", "record_key"):
        if field not in rows.columns:
            rows[field] = None
    rows = rows.astype({f: object for f in WORKER_MONTH_FIELDS})
    rows = rows.sort_values("record_key", kind="stable", na_position="last")
    rows["_order"] = range(len(rows))
    rows = rows.reset_index(drop=True)

    out = pd.DataFrame(index=pd.Index(sorted(rows["worker_id"].unique()), name="worker_id"))
    members = {m for group in config.groups.values() for m in group}
    for field in WORKER_MONTH_FIELDS:
        if field in members:
            continue
        precedence = config.precedence(field)
        chosen = _pick(rows, field, precedence)
        out[field] = pd.Series(rows.loc[chosen.to_numpy(), field].to_numpy(), index=chosen.index)
        for member in config.groups.get(field, ()):
            # Members come from the head's row; only workers without the head fall back to any row.
            from_head = pd.Series(rows.loc[chosen.to_numpy(), member].to_numpy(), index=chosen.index)
            fallback = _pick(rows, member, precedence)
            fallback = fallback[~fallback.index.isin(chosen.index)]
            from_rest = pd.Series(rows.loc[fallback.to_numpy(), member].to_numpy(), index=fallback.index)
            out[member] = pd.concat([from_head, from_rest])
    out = out.astype(object).where(out.notna(), None)

    kinds = (
        rows.loc[rows["source_kind"].notna(), ["worker_id", "source_kind"]]
        .astype(str)
        .drop_duplicates()
        .sort_values(["worker_id", "source_kind"])
    )
    by_kind = kinds.groupby("worker_id")["source_kind"]
    out["sources"] = by_kind.agg(";".join).reindex(out.index).fillna("")
    out["source_count"] = by_kind.size().reindex(out.index).fillna(0).astype(int)
    out["record_count"] = rows.groupby("worker_id").size()
    flagged = rows.loc[rows["flags"].notna(), ["worker_id", "flags"]]
    flags = (
        flagged.assign(flag=flagged["flags"].astype(str).str.split(";"))
        .explode("flag")
        .loc[lambda f: f["flag"].fillna("") != "", ["worker_id", "flag"]]
        .drop_duplicates()
        .sort_values(["worker_id", "flag"])
    )
    out["flags"] = flags.groupby("worker_id")["flag"].agg(";".join).reindex(out.index)
    conflicts = _conflicts(rows, config.conflict_fields)
    out["conflicts"] = [conflicts.get(w) for w in out.index]
    for column in ("flags", "conflicts"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out.reset_index()[columns]


def build_workers(worker_month: pd.DataFrame, known: pd.DataFrame | None, period: str) -> pd.DataFrame:
    """Worker rows for the period: identity from worker_month, first_period kept for known workers."""
    identity = ["worker_id", "passport_no", "nationality", "name", "birth_date", "sex"]
    workers = worker_month.reindex(columns=identity).copy()
    first = {}
    if known is not None and len(known) and "first_period" in known.columns:
        first = dict(zip(known["worker_id"], known["first_period"], strict=True))
    workers["first_period"] = [min(first.get(w, period), period) for w in workers["worker_id"]]
    workers["last_period"] = period
    return workers.astype(object).where(workers.notna(), None)

"""Survivorship: one worker_month row per worker, each field from the most authoritative source having it."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from tka.frames import where_or_none
from tka.match.arrays import argsort_text
from tka.match.config import MatchConfig
from tka.privacy import mask
from tka.warehouse.schema import WORKER_MONTH_FIELDS

# Identifiers masked in the conflicts JSON (it ends up in review material).
MASKED_IN_CONFLICTS: frozenset[str] = frozenset({"passport_no", "kitas_no"})
SUMMARY_COLUMNS = ["sources", "source_count", "record_count", "flags", "conflicts"]


def _present_values(values: np.ndarray) -> np.ndarray:
    """True where a value (of an object array) is present: not None/NaN and not an empty string."""
    return ~pd.isna(values) & (values != "")


def _as_text(value: object) -> str:
    """Comparable text of a field value (dates as ISO)."""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


class _Rows:
    """The rows of one survive() call as object arrays, with each row's worker number and record order."""

    def __init__(self, rows: pd.DataFrame) -> None:
        self.frame = rows
        ids = rows["worker_id"].to_numpy(dtype=object)
        codes, uniques = pd.factorize(ids)
        ranked = sorted(range(len(uniques)), key=uniques.__getitem__)
        self.worker_ids = [uniques[i] for i in ranked]
        position = np.empty(len(uniques), dtype=np.int64)
        position[ranked] = np.arange(len(uniques))
        self.worker = position[codes]  # number of the row's worker in sorted order
        self.by_worker = np.argsort(self.worker, kind="stable")
        self.n_workers = len(uniques)
        # Record order: by record_key (stable, missing keys last), the tie-break within one source.
        keys = rows["record_key"].reset_index(drop=True) if "record_key" in rows.columns else None
        self.order = np.empty(len(rows), dtype=np.int64)
        if keys is None:
            self.order[:] = np.arange(len(rows))
        else:
            self.order[argsort_text(keys)] = np.arange(len(rows))
        self._columns: dict[str, np.ndarray] = {}
        self._present: dict[str, np.ndarray] = {}
        self.kind_codes, self.kinds = pd.factorize(self.column("source_kind"))
        self._ranked: dict[tuple[str, ...], np.ndarray] = {}

    def column(self, name: str) -> np.ndarray:
        """The column as an object array (all None when the frame lacks it)."""
        found = self._columns.get(name)
        if found is None:
            if name in self.frame.columns:
                found = self.frame[name].to_numpy(dtype=object)
            else:
                found = np.full(len(self.frame), None, dtype=object)
            self._columns[name] = found
        return found

    def present(self, name: str) -> np.ndarray:
        """Mask of the rows where the column has a value (``_present_values``)."""
        found = self._present.get(name)
        if found is None:
            found = self._present[name] = _present_values(self.column(name))
        return found

    def ranked(self, precedence: tuple[str, ...]) -> np.ndarray:
        """Row numbers sorted by worker, then source rank in ``precedence`` (others last), then record order."""
        found = self._ranked.get(precedence)
        if found is None:
            rank = {kind: i for i, kind in enumerate(precedence)}
            by_kind = np.array([*(rank.get(k, len(rank)) for k in self.kinds), len(rank)], dtype=np.int64)
            found = self._ranked[precedence] = np.lexsort((self.order, by_kind[self.kind_codes], self.worker))
        return found

    def pick(self, present: np.ndarray, precedence: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """(workers, the row supplying each): among present rows the best-ranked source, then record order."""
        ranked = self.ranked(precedence)
        candidates = ranked[present[ranked]]
        workers = self.worker[candidates]
        first = np.ones(len(candidates), dtype=bool)
        first[1:] = workers[1:] != workers[:-1]
        return workers[first], candidates[first]


def _boxed(values: np.ndarray) -> np.ndarray:
    """Values as a Series built from them holds them (datetimes become Timestamps), as object again."""
    return pd.Series(values).astype(object).to_numpy()


def _conflicts(rows: _Rows, fields: tuple[str, ...]) -> dict[int, str]:
    """Worker number -> JSON {field: sorted distinct values} for the fields on which the rows disagree."""
    found: dict[int, dict[str, list[str | None]]] = defaultdict(dict)
    for field in fields:
        if field not in rows.frame.columns:
            continue
        ordered = rows.by_worker[rows.present(field)[rows.by_worker]]  # present rows, grouped by worker
        values, workers = rows.column(field)[ordered], rows.worker[ordered]
        held: dict[int, set[Any]] = defaultdict(set)
        kind = pd.api.types.infer_dtype(values, skipna=False)
        if kind == "string" or (kind == "date" and all(type(v) is dt.date for v in values)):
            # Equal strings (dates) have equal texts, unequal ones unequal texts: only workers with a value
            # unlike their first one can disagree.
            starts = np.ones(len(workers), dtype=bool)
            starts[1:] = workers[1:] != workers[:-1]
            first = np.maximum.accumulate(np.where(starts, np.arange(len(workers)), 0))
            differs = np.asarray(values != values[first], dtype=bool)
            keep = np.isin(workers, workers[differs])
            for worker, value in zip(workers[keep].tolist(), values[keep].tolist(), strict=True):
                held[worker].add(value)
            texts = {w: sorted(_as_text(v) for v in held_values) for w, held_values in held.items()}
        else:
            for worker, value in zip(workers.tolist(), values.tolist(), strict=True):
                held[worker].add(_as_text(value))
            texts = {w: sorted(held_texts) for w, held_texts in held.items() if len(held_texts) > 1}
        masked = field in MASKED_IN_CONFLICTS
        for worker, distinct in texts.items():
            shown: list[str | None] = [mask(v) for v in distinct] if masked else list(distinct)
            found[worker][field] = shown
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
    rows = rows.loc[rows["worker_id"].notna()]
    columns = ["worker_id", *WORKER_MONTH_FIELDS, *SUMMARY_COLUMNS]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    table = _Rows(rows)
    n_workers = table.n_workers
    out: dict[str, np.ndarray] = {}
    members = {m for group in config.groups.values() for m in group}
    for field in WORKER_MONTH_FIELDS:
        if field in members:
            continue
        precedence = config.precedence(field)
        values = table.column(field)
        workers, chosen = table.pick(table.present(field), precedence)
        out[field] = np.full(n_workers, None, dtype=object)
        out[field][workers] = _boxed(values[chosen])
        has_head = np.zeros(n_workers, dtype=bool)
        has_head[workers] = True
        for member in config.groups.get(field, ()):
            # Members come from the head's row; only workers without the head fall back to any row.
            member_values = table.column(member)
            out[member] = np.full(n_workers, None, dtype=object)
            out[member][workers] = _boxed(member_values[chosen])
            rest, fallback = table.pick(table.present(member), precedence)
            rest_mask = ~has_head[rest]
            out[member][rest[rest_mask]] = _boxed(member_values[fallback[rest_mask]])

    index = pd.Index(table.worker_ids, name="worker_id")
    frame = pd.DataFrame(
        {f: pd.Series(where_or_none(~pd.isna(v), v), index=index, dtype=object) for f, v in out.items()},
        index=index,
    )
    frame["sources"], frame["source_count"] = _sources(table, index)
    frame["record_count"] = np.bincount(table.worker, minlength=n_workers).astype(np.int64)
    frame["flags"] = pd.Series(_flags(table), index=index, dtype=object)
    conflicts = _conflicts(table, config.conflict_fields)
    frame["conflicts"] = pd.Series([conflicts.get(w) for w in range(n_workers)], index=index, dtype=object)
    return frame.reset_index()[columns]


def _sources(table: _Rows, index: pd.Index) -> tuple[pd.Series, np.ndarray]:
    """Per worker the sorted distinct source kinds joined by ';' and their number."""
    kinds = [str(k) for k in table.kinds]
    if not kinds:
        return pd.Series("", index=index), np.zeros(len(index), dtype=np.int64)
    names = sorted(set(kinds))
    bit = {name: 1 << i for i, name in enumerate(names)}
    bits = np.array([bit[k] for k in kinds], dtype=object if len(names) > 62 else np.int64)
    has = table.kind_codes >= 0
    held = np.zeros(table.n_workers, dtype=bits.dtype)
    np.bitwise_or.at(held, table.worker[has], bits[table.kind_codes[has]])
    codes, distinct = pd.factorize(held)
    joined = [[n for i, n in enumerate(names) if int(d) >> i & 1] for d in distinct]
    text = np.array([";".join(j) for j in joined], dtype=object)[codes]
    count = np.array([len(j) for j in joined], dtype=np.int64)[codes]
    return pd.Series(text.tolist(), index=index), count


def _flags(table: _Rows) -> list[str | None]:
    """Per worker the sorted distinct flags of its rows joined by ';', None without any."""
    flags = table.column("flags")
    flagged = np.flatnonzero(pd.notna(flags))
    held: dict[int, set[str]] = defaultdict(set)
    split: dict[str, list[str]] = {}
    for worker, value in zip(table.worker[flagged].tolist(), flags[flagged].tolist(), strict=True):
        text = str(value)
        parts = split.get(text)
        if parts is None:
            parts = split[text] = [f for f in text.split(";") if f != ""]
        held[worker].update(parts)
    out: list[str | None] = [None] * table.n_workers
    for worker, names in held.items():
        if names:
            out[worker] = ";".join(sorted(names))
    return out


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

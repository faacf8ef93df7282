"""Running a GX suite on canonical rows and mapping its row-level results to the contract's issues frame."""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from great_expectations.core.expectation_suite import ExpectationSuite
from great_expectations.core.expectation_validation_result import (
    ExpectationSuiteValidationResult,
    ExpectationValidationResult,
)

from tka.contract import (
    FILE_PATH,
    FILE_SHA256,
    QUARANTINE_REASONS,
    RAW,
    RECORD_KEY,
    ROW_NUMBER,
    RULES,
    SHEET,
)
from tka.validate.config import ValidationConfig
from tka.validate.derive import add_helper_columns
from tka.validate.gxcontext import GX_LOCK, dataframe_batch_definition
from tka.validate.suites import Suites, expectation_columns

ISSUE_COLUMNS: tuple[str, ...] = (
    "issue_id", "record_key", "file_path", "file_sha256", "sheet", "row_number", "column", "header",
    "raw_value", "rule", "severity", "message_id",
)
log = logging.getLogger(__name__)
# From this many rows the suite runs in parts on narrow frames (``suite_parts``); below, copies of the batch are
# cheaper than GX's set-up of each part.
SPLIT_MIN_ROWS = 20_000

# Where the text the agency typed is kept when normalisation changed or rejected it.
RAW_TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "nationality": ("nationality_unknown", "nationality_raw"),
    "kecamatan_code": ("kecamatan_unknown", "kecamatan_raw"),
    "passport_no": ("passport_raw",),
    "name": ("name_raw",),
    "company_name": ("company_name_raw",),
}
# file_sha256 -> sheet -> canonical field -> header text in the file
HeaderMap = Mapping[str, Mapping[str, Mapping[str, str]]]


def issue_id(file_sha256: str | None, sheet: str | None, row_number: int | None, column: str | None,
             rule: str, *, file_path: str | None) -> str:
    """Stable id of one issue: 16 hex of sha256 over ``file_path|file_sha256|sheet|row_number|column|rule``.

    The place is part of the id: identical files in two places (three 0-byte files, the same workbook filed
    under two NIBs) each keep their own issues, and a re-run of the same path gives the same ids.
    """
    parts = ["" if p is None else str(p) for p in (file_path, file_sha256, sheet, row_number, column)]
    return hashlib.sha256("|".join([*parts, rule]).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def run_suite(rows: pd.DataFrame, kind: Literal["worker", "registry"], period: str, suites: Suites,
              config: ValidationConfig, headers: HeaderMap | None = None
              ) -> tuple[pd.DataFrame, ExpectationSuiteValidationResult]:
    """Run the ``kind`` suite on ``rows`` (plus helper columns); return the frame GX saw and its result."""
    frame = add_helper_columns(rows, kind, period, config, headers)
    # GX sees the frame's fresh RangeIndex, unnamed, and no unexpected_index_column_names: it then reports each
    # unexpected row as its position (list(domain.index)), which issues_from_result looks up in `frame`. A named
    # (multi-)index of the ids made every row-condition filter (DataFrame.query builds a resolver per index level,
    # then takes every level) and the batch fingerprint several times dearer.
    # Only the columns an expectation reads: GX fingerprints the whole batch (and pickles it if a cell, like
    # `raw`, holds a dict) and copies all of it for each filter, so every extra column costs time.
    suite = suites.for_kind(kind)
    result_format = {
        "result_format": "COMPLETE",
        "exclude_unexpected_values": True,  # positions only; values are taken from `frame`
        "return_unexpected_index_query": False,
        "partial_unexpected_count": 0,
    }
    results: list[ExpectationValidationResult] = []
    meta: dict[str, Any] = {}
    with GX_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for columns, part in suite_parts(suite, split=len(frame) >= SPLIT_MIN_ROWS):
            batch = dataframe_batch_definition().get_batch(
                batch_parameters={"dataframe": frame[[c for c in frame.columns if c in columns]]})
            found = batch.validate(part, result_format=result_format,
                                   expectation_parameters=config.expectation_parameters())
            results += found.results
            meta = meta or dict(found.meta)  # GX version and batch, for Data Docs
    result = suite_result(suite, results, meta)
    for res in result.results:
        message = _raised(res.exception_info)
        if message is not None:  # a broken expectation must not pass as "no issues"
            failing = res.expectation_config.type if res.expectation_config is not None else "?"
            raise RuntimeError(f"GX expectation {failing} raised: {message}")
    return frame, result


def suite_parts(suite: ExpectationSuite, *, split: bool = True) -> list[tuple[frozenset[str], ExpectationSuite]]:
    """``suite`` in parts, each with the columns it reads: (columns, sub-suite); every expectation in one part.

    With ``split``, an expectation with a row condition or on a column pair gets a part of its own columns: GX
    filters (copies) the whole batch for each of its metrics. The single-column rest share one part (a part costs
    GX about as much set-up as a few copies of their narrow frame); without ``split`` that is the whole suite.
    """
    groups: dict[frozenset[str] | None, list[Any]] = {}
    for expectation in suite.expectations:
        kwargs = expectation.configuration.kwargs
        own = split and (bool(kwargs.get("row_condition")) or "column_A" in kwargs)
        groups.setdefault(frozenset(expectation_columns(expectation)) if own else None, []).append(expectation)
    shared = frozenset().union(*(expectation_columns(e) for e in groups.get(None, [])))
    # configurations, not the expectations: GX binds an expectation to one suite
    return [(shared if columns is None else columns,
             ExpectationSuite(name=suite.name, meta=dict(suite.meta), expectations=[e.configuration for e in part]))
            for columns, part in groups.items()]


def suite_result(suite: ExpectationSuite, results: list[ExpectationValidationResult],
                 meta: Mapping[str, Any] | None = None) -> ExpectationSuiteValidationResult:
    """One result of ``suite`` from its expectations' ``results``, as GX sums them up."""
    successful = sum(1 for r in results if r.success)
    return ExpectationSuiteValidationResult(
        success=successful == len(results), results=results, suite_name=suite.name, meta=dict(meta or {}),
        statistics={"evaluated_expectations": len(results), "successful_expectations": successful,
                    "unsuccessful_expectations": len(results) - successful,
                    "success_percent": 100 * successful / len(results) if results else None})


def _raised(info: Any) -> str | None:
    """The exception message in a GX ``exception_info`` (flat, or keyed by metric id), if one was raised."""
    if not isinstance(info, Mapping):
        return None
    if "raised_exception" in info:
        return str(info.get("exception_message")) if info["raised_exception"] else None
    return next((m for m in map(_raised, info.values()) if m is not None), None)


def unexpected_rows(result: ExpectationSuiteValidationResult) -> pd.DataFrame:
    """``_pos`` (row position in the frame GX saw), issue ``column`` and ``rule`` of every unexpected row."""
    positions, columns, rules = [], [], []
    for res in result.results:
        if res.success:
            continue
        expectation = res.expectation_config
        if expectation is None:
            raise RuntimeError("GX reported a failed result without its expectation")
        column = (expectation.meta.get("column") or expectation.kwargs.get("column")
                  or expectation.kwargs.get("column_A"))
        found = res.result.get("unexpected_index_list") or []
        positions.append(np.asarray(found, dtype=np.int64))
        columns += [column] * len(found)
        rules += [expectation.meta["rule"]] * len(found)
    return pd.DataFrame({"_pos": np.concatenate(positions) if positions else np.empty(0, np.int64),
                         "column": pd.Series(columns, dtype=object), "rule": pd.Series(rules, dtype=object)})


def first_positions(frame: pd.DataFrame) -> np.ndarray | None:
    """Per row, the position of the first row with its (record_key, file_path); None if every pair is unique."""
    keys = frame[[RECORD_KEY, FILE_PATH]].astype(object)
    repeated = keys.duplicated().to_numpy()
    if not repeated.any():
        return None
    # ngroup(sort=False) numbers groups by first appearance, the order of the non-repeated rows.
    group = keys.groupby([RECORD_KEY, FILE_PATH], dropna=False, sort=False).ngroup().to_numpy()
    return np.flatnonzero(~repeated)[group]


def _raw_cell(raw: object, header: str | None) -> str | None:
    """The original cell text under ``header`` in a row's ``raw`` JSON (dict or JSON text)."""
    if header is None or raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return None
    if isinstance(raw, Mapping) and raw.get(header) is not None:
        return str(raw[header])
    return None


def _as_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def raw_value(row: Mapping[str, Any], column: str, header: str | None) -> str | None:
    """What the agency typed for ``column``: the raw cell if known, else unparsed/raw text, else the value."""
    from_raw = _raw_cell(row.get(RAW), header)
    if from_raw is not None:
        return from_raw
    for candidate in (f"{column}_unparsed", *RAW_TEXT_COLUMNS.get(column, ())):
        text = _as_text(row.get(candidate))
        if text is not None:
            return text
    return _as_text(row.get(column))


def issues_from_result(frame: pd.DataFrame, result: ExpectationSuiteValidationResult,
                       headers: HeaderMap | None = None) -> pd.DataFrame:
    """Turn GX's unexpected rows into one issue per (record, column, rule), sorted by file position."""
    hits = unexpected_rows(result)
    if hits.empty:
        return pd.DataFrame(columns=list(ISSUE_COLUMNS), dtype=object)
    first = first_positions(frame)
    if first is not None:  # rows sharing an id are one record: report at the first
        hits["_pos"] = first[hits["_pos"].to_numpy()]
    # Two expectations of one rule on one cell (e.g. kecamatan unknown and not in the code list): one issue.
    hits = hits.drop_duplicates(["_pos", "column", "rule"])
    arrays = {c: frame[c].to_numpy(dtype=object) for c in frame.columns}
    records = []
    for pos, column, rule_id in zip(hits["_pos"].astype(int), hits["column"], hits["rule"], strict=True):
        rule = RULES[rule_id]
        sha, sheet, number = arrays[FILE_SHA256][pos], arrays[SHEET][pos], arrays[ROW_NUMBER][pos]
        header = (headers or {}).get(sha, {}).get(sheet, {}).get(column)
        # Only the columns raw_value() may consult, not the whole row: this loop runs once per issue.
        row = {c: arrays[c][pos] for c in (RAW, column, f"{column}_unparsed", *RAW_TEXT_COLUMNS.get(column, ()))
               if c in arrays}
        records.append({
            "issue_id": issue_id(sha, sheet, number, column, rule_id, file_path=arrays[FILE_PATH][pos]),
            "record_key": arrays[RECORD_KEY][pos], "file_path": arrays[FILE_PATH][pos], "file_sha256": sha,
            "sheet": sheet, "row_number": number, "column": column, "header": header,
            "raw_value": None if column == "row" else raw_value(row, column, header),
            "rule": rule_id, "severity": rule.severity.value, "message_id": rule.message_id,
        })
    issues = pd.DataFrame(records, columns=list(ISSUE_COLUMNS), dtype=object)
    return issues.sort_values(["file_path", "sheet", "row_number", "column", "rule"], kind="stable",
                              ignore_index=True)


def validate_rows(rows: pd.DataFrame, kind: Literal["worker", "registry"], period: str, suites: Suites,
                  config: ValidationConfig, headers: HeaderMap | None = None,
                  collect: dict[str, ExpectationSuiteValidationResult] | None = None) -> pd.DataFrame:
    """Validate canonical rows of one period with the ``kind`` suite; return the issues frame.

    ``collect``, if given, receives the GX result under ``kind`` (for ``build_data_docs``).
    """
    if rows.empty:
        return pd.DataFrame(columns=list(ISSUE_COLUMNS), dtype=object)
    frame, result = run_suite(rows, kind, period, suites, config, headers)
    if collect is not None:
        collect[kind] = result
    issues = issues_from_result(frame, result, headers)
    # counts only: issue values may be personal data
    log.info("Validated %d %s rows for %s: %d issues %s", len(rows), kind, period, len(issues),
             issues["rule"].value_counts().to_dict() if len(issues) else {})
    return issues


def layout_issues(file_path: str, file_sha256: str, drift: Any) -> pd.DataFrame:
    """File-level issues of one read file's header drift (``ReadResult.drift``): guessed, missing, unexpected.

    They name the sheet and the header text, have no row, and go to the office (``tka layout``), not to the
    agency; they never change a row's status.
    """
    records = []

    def add(sheet: str, column: str | None, header: str | None, raw: str | None, rule_id: str) -> None:
        records.append({
            "issue_id": issue_id(file_sha256, sheet, None, column or header, rule_id, file_path=file_path),
            "record_key": None,
            "file_path": file_path, "file_sha256": file_sha256, "sheet": sheet, "row_number": None,
            "column": column, "header": header, "raw_value": raw, "rule": rule_id,
            "severity": RULES[rule_id].severity.value, "message_id": RULES[rule_id].message_id,
        })

    for sheet, sheet_drift in sorted(drift.sheets.items()):
        for header, field, score in sheet_drift.guessed:
            add(sheet, field, header, f"{field} ({score:.2f})", "header_guessed")
        for field in sheet_drift.missing:
            add(sheet, field, None, None, "column_missing")
        for header in sheet_drift.unexpected:
            add(sheet, None, header, None, "column_unexpected")
    return pd.DataFrame(records, columns=list(ISSUE_COLUMNS), dtype=object)


def file_issue(file_path: str, file_sha256: str | None, reason: str, *, other_place: str | None = None) -> pd.DataFrame:
    """The file-level issue row of a quarantined file (rule ``file:<reason>``, severity error).

    ``other_place`` names the place a ``duplicate_file`` repeats (its message says so).
    """
    if reason not in QUARANTINE_REASONS:
        raise ValueError(f"unknown quarantine reason {reason!r}")
    rule = f"file:{reason}"
    message = QUARANTINE_REASONS[reason]
    if other_place is not None:
        message = f"{message} Berkas yang sama: {other_place}"
    return pd.DataFrame([{
        "issue_id": issue_id(file_sha256, None, None, None, rule, file_path=file_path), "record_key": None,
        "file_path": file_path, "file_sha256": file_sha256, "sheet": None, "row_number": None, "column": None,
        "header": None, "raw_value": other_place, "rule": rule, "severity": "error", "message_id": message,
    }], columns=list(ISSUE_COLUMNS), dtype=object)

"""Validation with Great Expectations and the steward's review material (feedback workbooks, exports).

Names are imported on first use: importing Great Expectations takes seconds, and a run whose inputs did not
change (or that only needs ``ValidationConfig``) should not pay for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "ValidationConfig": "config",
    "apply_decisions": "decide",
    "build_data_docs": "docs",
    "FeedbackFile": "feedback", "FeedbackReport": "feedback", "content_key": "feedback",
    "feedback_files": "feedback", "read_manifest": "feedback", "write_feedback_workbooks": "feedback",
    "ISSUE_COLUMNS": "run", "file_issue": "run", "issues_from_result": "run", "run_suite": "run",
    "validate_rows": "run",
    "SuiteError": "suites", "Suites": "suites", "check_coverage": "suites", "load_suites": "suites",
    "Summary": "summary", "summarize": "summary",
    "FileMeta": "workbook", "feedback_path": "workbook", "write_feedback_workbook": "workbook",
    "write_month_export": "workbook",
}

__all__ = [
    "ISSUE_COLUMNS", "FeedbackFile", "FeedbackReport", "FileMeta", "SuiteError", "Suites", "Summary",
    "ValidationConfig", "apply_decisions", "build_data_docs", "check_coverage", "content_key", "feedback_files",
    "feedback_path", "file_issue", "issues_from_result", "load_suites", "read_manifest", "run_suite", "summarize",
    "validate_rows", "write_feedback_workbook", "write_feedback_workbooks", "write_month_export",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from tka.validate.config import ValidationConfig
    from tka.validate.decide import apply_decisions
    from tka.validate.docs import build_data_docs
    from tka.validate.feedback import (
        FeedbackFile,
        FeedbackReport,
        content_key,
        feedback_files,
        read_manifest,
        write_feedback_workbooks,
    )
    from tka.validate.run import ISSUE_COLUMNS, file_issue, issues_from_result, run_suite, validate_rows
    from tka.validate.suites import SuiteError, Suites, check_coverage, load_suites
    from tka.validate.summary import Summary, summarize
    from tka.validate.workbook import FileMeta, feedback_path, write_feedback_workbook, write_month_export

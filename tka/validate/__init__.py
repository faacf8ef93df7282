"""Validation with Great Expectations and the steward's review material (feedback workbooks, exports)."""

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

__all__ = [
    "ISSUE_COLUMNS", "FeedbackFile", "FeedbackReport", "FileMeta", "SuiteError", "Suites", "Summary",
    "ValidationConfig", "apply_decisions", "build_data_docs", "check_coverage", "content_key", "feedback_files",
    "feedback_path", "file_issue", "issues_from_result", "load_suites", "read_manifest", "run_suite", "summarize",
    "validate_rows", "write_feedback_workbook", "write_feedback_workbooks", "write_month_export",
]

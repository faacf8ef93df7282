"""Reporting policy, company report status, alert digests and alert planning (pure; channels.py does I/O)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tka.compliance.digest import (
    AlertToSend,
    Digest,
    ReferenceNames,
    alert_key,
    build_digest,
    compliance_markdown,
    load_reference_names,
    plan_alerts,
    render_table,
    status_markdown,
)
from tka.compliance.policy import MustReportMode, Policy, escalation_level, load_policy, report_deadline
from tka.compliance.status import (
    FILE_COLUMNS,
    STATUS_COLUMNS,
    ReportStatus,
    compute_company_status,
    employers_not_in_registry,
    files_frame,
)

if TYPE_CHECKING:
    from tka.compliance.channels import SmtpEmailNotification, make_failure_hook, send

__all__ = [
    "FILE_COLUMNS", "STATUS_COLUMNS", "AlertToSend", "Digest", "MustReportMode", "Policy", "ReferenceNames",
    "ReportStatus", "SmtpEmailNotification", "alert_key", "build_digest", "compliance_markdown", "compute_company_status",
    "employers_not_in_registry", "escalation_level", "files_frame", "load_policy", "load_reference_names",
    "make_failure_hook", "plan_alerts", "render_table", "report_deadline", "send", "status_markdown",
]
_CHANNEL_NAMES = {"SmtpEmailNotification", "make_failure_hook", "send"}


def __getattr__(name: str) -> Any:
    # Prefect is imported only when a channel is actually used, so the pure core stays light to import.
    if name in _CHANNEL_NAMES:
        from tka.compliance import channels

        return getattr(channels, name)
    raise AttributeError(name)

"""The warehouse tables (docs/contracts.md), as SQLAlchemy Core metadata for loads, queries and Alembic."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from tka.contract import PROVENANCE_COLUMNS, WORKER_FIELDS

# Stable constraint names so Alembic migrations behave the same on SQLite (batch mode) and PostgreSQL.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

PERIOD = String(7)
SHA = String(64)
TS = DateTime(timezone=True)


def _field_column(name: str, kind: str) -> Column:
    """A nullable column for one canonical field (dates as DATE, everything else as TEXT)."""
    return Column(name, Date if kind == "date" else Text, nullable=True)


run = Table(
    "run",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("period", PERIOD, nullable=False, index=True),
    Column("flow_run_id", String(64)),
    Column("started_at", TS),
    Column("finished_at", TS),
    Column("status", String(32), nullable=False),
    Column("summary", Text),
    Column("loaded_at", TS),  # added: when this run's load committed (None: it never loaded)
    # added: sent | dry_run | printed (channel missing, digest printed) | none | failed | partial
    Column("alert_status", String(16)),
    Column("alert_detail", Text),  # JSON: channel -> outcome (no personal data)
)

file_ledger = Table(
    "file_ledger",
    metadata,
    Column("file_sha256", SHA, primary_key=True),
    Column("path", Text, primary_key=True),
    Column("period", PERIOD, primary_key=True),
    Column("source_kind", String(32)),
    Column("source_id", Text),
    Column("size", Integer),
    Column("modified_at", TS),  # added: the file's modification time, used to pick the newest version
    Column("first_seen_run", String(64)),
    Column("last_seen_run", String(64)),
    Column("status", String(16), nullable=False),
    Column("quarantine_reason", String(64)),
    Column("detail", Text),
    Column("superseded_by", SHA),  # sha256 of the file version that replaced this one
    Column("rows_read", Integer),
    # added (0003): why it was replaced, in Indonesian (same path overwritten, a revision by name or workers)
    Column("superseded_reason", Text),
    Index("ix_file_ledger_period_source", "period", "source_kind", "source_id"),
)

period_load = Table(
    "period_load",
    metadata,
    Column("period", PERIOD, primary_key=True),
    Column("run_id", String(64)),
    Column("loaded_at", TS),
    Column("file_shas", Text, nullable=False),
    # sha256 of everything the load was computed from (tka.pipeline.input_fingerprint); same value = skip
    Column("input_fingerprint", String(64)),
)

worker = Table(
    "worker",
    metadata,
    Column("worker_id", String(16), primary_key=True),
    Column("first_period", PERIOD, nullable=False),
    Column("last_period", PERIOD, nullable=False),
    Column("passport_no", Text),
    Column("nationality", String(3)),
    Column("name", Text),
    Column("birth_date", Date),
    Column("sex", String(8)),
    Index("ix_worker_passport", "nationality", "passport_no"),
)

WORKER_MONTH_FIELDS: tuple[str, ...] = (
    "company_nib",
    "company_name",
    "kecamatan_code",
    "position",
    "nationality",
    "passport_no",
    "name",
    "sex",
    "birth_date",
    "kitas_no",
    "kitas_start",
    "kitas_end",
    "rptka_no",
    "rptka_start",
    "rptka_end",
    "notifikasi_no",
    "notifikasi_start",
    "notifikasi_end",
    "permit_type",
)

worker_month = Table(
    "worker_month",
    metadata,
    Column("period", PERIOD, primary_key=True),
    Column("worker_id", String(16), ForeignKey("worker.worker_id"), primary_key=True),
    *(_field_column(f, WORKER_FIELDS[f]) for f in WORKER_MONTH_FIELDS),
    Column("sources", Text, nullable=False),
    Column("source_count", Integer, nullable=False),
    Column("record_count", Integer),  # added: how many source rows were merged into this worker-month
    Column("flags", Text),
    Column("conflicts", Text),
    Index("ix_worker_month_worker", "worker_id"),
    Index("ix_worker_month_company", "period", "company_nib"),
)

# Extra per-row columns the reader produces: unparsed raw text of dates and unknown codes.
SOURCE_RECORD_EXTRA: tuple[str, ...] = (
    *(f"{f}_unparsed" for f, k in WORKER_FIELDS.items() if k == "date"),
    "nationality_unknown",
    "kecamatan_unknown",
)

source_record = Table(
    "source_record",
    metadata,
    Column("period", PERIOD, primary_key=True),
    Column("record_key", String(96), primary_key=True),
    *(Column(c, Integer if c == "row_number" else Text) for c in PROVENANCE_COLUMNS if c != "record_key"),
    *(_field_column(f, k) for f, k in WORKER_FIELDS.items()),
    *(Column(c, Text) for c in SOURCE_RECORD_EXTRA),
    Column("status", String(16), nullable=False),
    Column("flags", Text),
    Column("worker_id", String(16), ForeignKey("worker.worker_id")),
    Column("match_reason", String(32)),
    Index("ix_source_record_worker", "worker_id"),
    Index("ix_source_record_file", "period", "file_sha256"),
)

validation_issue = Table(
    "validation_issue",
    metadata,
    # Keyed by (period, issue_id), not issue_id alone: an unchanged file re-sent in the next month has the
    # same sha256, hence the same issue ids, and both months must keep their issues.
    Column("period", PERIOD, primary_key=True),
    Column("issue_id", String(16), primary_key=True),
    Column("run_id", String(64)),
    Column("record_key", String(96)),
    Column("file_path", Text),
    Column("file_sha256", SHA),
    Column("sheet", Text),
    Column("row_number", Integer),
    Column("column", Text),
    Column("header", Text),
    Column("raw_value", Text),
    Column("rule", String(64), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("message_id", Text),  # added: the Indonesian message shown to agencies
    Column("status", String(16), nullable=False),
    Column("decided_by", Text),
    Column("decided_at", TS),
    Column("decision_note", Text),
    Index("ix_validation_issue_id", "issue_id"),
    Index("ix_validation_issue_file", "period", "file_sha256"),
)

company = Table(
    "company",
    metadata,
    Column("company_nib", String(64), primary_key=True),
    Column("name", Text),
    Column("kbli", Text),
    Column("kecamatan_code", String(8)),
    Column("must_report", Boolean),
    Column("first_period", PERIOD, nullable=False),
    Column("last_period", PERIOD, nullable=False),
)

company_period = Table(
    "company_period",
    metadata,
    Column("period", PERIOD, primary_key=True),
    Column("company_nib", String(64), primary_key=True),
    Column("in_registry", Boolean),
    Column("must_report", Boolean),
    Column("status", String(32), nullable=False),
    Column("files", Integer),
    Column("rows", Integer),
    Column("rows_accepted", Integer),
    Column("consecutive_missed", Integer),
    Column("escalation_level", Integer),
)

alert_ledger = Table(
    "alert_ledger",
    metadata,
    Column("alert_key", Text, primary_key=True),
    Column("period", PERIOD, nullable=False, index=True),
    Column("channel", Text, nullable=False),
    Column("digest_hash", String(64), nullable=False),
    Column("sent_at", TS),
    Column("payload", Text),
)

# The steward's decision about a file that might be a revision of another (``tka berkas``): "ganti" (the file
# is replaced by ``replaced_by``) or "pertahankan" (kept, never replaced). Keyed by path (it holds the period).
file_decision = Table(
    "file_decision",
    metadata,
    Column("path", Text, primary_key=True),
    Column("period", PERIOD, nullable=False),
    Column("action", String(16), nullable=False),
    Column("replaced_by", Text),
    Column("decided_by", Text),
    Column("decided_at", TS),
    Column("decision_note", Text),
    Index("ix_file_decision_period", "period"),
)

# Tables whose rows of one period a load replaces, in insert order (parents first).
PERIOD_TABLES: tuple[Table, ...] = (source_record, worker_month, company_period, validation_issue)

# Cross-source findings of a period (tka.report.findings); replaced as a whole after each load.
finding = Table(
    "finding",
    metadata,
    Column("period", PERIOD, primary_key=True),
    Column("finding_id", String(16), primary_key=True),
    Column("kind", String(48), nullable=False),
    Column("worker_id", String(16)),
    Column("company_nib", String(64)),
    Column("company_name", Text),
    Column("detail", Text),  # JSON object
    Column("evidence", Text, nullable=False),  # JSON list of {record_key, source_kind, file_path, sheet, row}
    Column("run_id", String(64)),
    Index("ix_finding_period_kind", "period", "kind"),
)

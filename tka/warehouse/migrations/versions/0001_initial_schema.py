"""Initial schema: the tables of docs/contracts.md.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 18:44:38.989169
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_ledger",
        sa.Column("alert_key", sa.Text(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("digest_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("alert_key", name=op.f("pk_alert_ledger")),
    )
    with op.batch_alter_table("alert_ledger", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_ledger_period"), ["period"], unique=False)

    op.create_table(
        "company",
        sa.Column("company_nib", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("kbli", sa.Text(), nullable=True),
        sa.Column("kecamatan_code", sa.String(length=8), nullable=True),
        sa.Column("must_report", sa.Boolean(), nullable=True),
        sa.Column("first_period", sa.String(length=7), nullable=False),
        sa.Column("last_period", sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint("company_nib", name=op.f("pk_company")),
    )
    op.create_table(
        "company_period",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("company_nib", sa.String(length=64), nullable=False),
        sa.Column("in_registry", sa.Boolean(), nullable=True),
        sa.Column("must_report", sa.Boolean(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("files", sa.Integer(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("rows_accepted", sa.Integer(), nullable=True),
        sa.Column("consecutive_missed", sa.Integer(), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("period", "company_nib", name=op.f("pk_company_period")),
    )
    op.create_table(
        "file_ledger",
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("source_kind", sa.String(length=32), nullable=True),
        sa.Column("source_id", sa.Text(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_run", sa.String(length=64), nullable=True),
        sa.Column("last_seen_run", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("quarantine_reason", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("superseded_by", sa.String(length=64), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("file_sha256", "path", "period", name=op.f("pk_file_ledger")),
    )
    with op.batch_alter_table("file_ledger", schema=None) as batch_op:
        batch_op.create_index(
            "ix_file_ledger_period_source", ["period", "source_kind", "source_id"], unique=False
        )

    op.create_table(
        "period_load",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("file_shas", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_period_load")),
    )
    op.create_table(
        "run",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run")),
    )
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_period"), ["period"], unique=False)

    op.create_table(
        "validation_issue",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("issue_id", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("record_key", sa.String(length=96), nullable=True),
        sa.Column("file_path", sa.Text(), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("sheet", sa.Text(), nullable=True),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("column", sa.Text(), nullable=True),
        sa.Column("header", sa.Text(), nullable=True),
        sa.Column("raw_value", sa.Text(), nullable=True),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("period", "issue_id", name=op.f("pk_validation_issue")),
    )
    with op.batch_alter_table("validation_issue", schema=None) as batch_op:
        batch_op.create_index("ix_validation_issue_file", ["period", "file_sha256"], unique=False)
        batch_op.create_index("ix_validation_issue_id", ["issue_id"], unique=False)

    op.create_table(
        "worker",
        sa.Column("worker_id", sa.String(length=16), nullable=False),
        sa.Column("first_period", sa.String(length=7), nullable=False),
        sa.Column("last_period", sa.String(length=7), nullable=False),
        sa.Column("passport_no", sa.Text(), nullable=True),
        sa.Column("nationality", sa.String(length=3), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=8), nullable=True),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_worker")),
    )
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.create_index("ix_worker_passport", ["nationality", "passport_no"], unique=False)

    op.create_table(
        "source_record",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("record_key", sa.String(length=96), nullable=False),
        sa.Column("run_id", sa.Text(), nullable=True),
        sa.Column("source_kind", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Text(), nullable=True),
        sa.Column("file_path", sa.Text(), nullable=True),
        sa.Column("file_sha256", sa.Text(), nullable=True),
        sa.Column("sheet", sa.Text(), nullable=True),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_raw", sa.Text(), nullable=True),
        sa.Column("name_native", sa.Text(), nullable=True),
        sa.Column("passport_no", sa.Text(), nullable=True),
        sa.Column("passport_raw", sa.Text(), nullable=True),
        sa.Column("passport_expiry", sa.Date(), nullable=True),
        sa.Column("nationality", sa.Text(), nullable=True),
        sa.Column("nationality_raw", sa.Text(), nullable=True),
        sa.Column("sex", sa.Text(), nullable=True),
        sa.Column("birth_place", sa.Text(), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("position", sa.Text(), nullable=True),
        sa.Column("company_name", sa.Text(), nullable=True),
        sa.Column("company_name_raw", sa.Text(), nullable=True),
        sa.Column("company_nib", sa.Text(), nullable=True),
        sa.Column("kecamatan_code", sa.Text(), nullable=True),
        sa.Column("kecamatan_raw", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("rptka_no", sa.Text(), nullable=True),
        sa.Column("rptka_start", sa.Date(), nullable=True),
        sa.Column("rptka_end", sa.Date(), nullable=True),
        sa.Column("notifikasi_no", sa.Text(), nullable=True),
        sa.Column("notifikasi_start", sa.Date(), nullable=True),
        sa.Column("notifikasi_end", sa.Date(), nullable=True),
        sa.Column("permit_type", sa.Text(), nullable=True),
        sa.Column("kitas_no", sa.Text(), nullable=True),
        sa.Column("kitas_start", sa.Date(), nullable=True),
        sa.Column("kitas_end", sa.Date(), nullable=True),
        sa.Column("person_kind", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("passport_expiry_unparsed", sa.Text(), nullable=True),
        sa.Column("birth_date_unparsed", sa.Text(), nullable=True),
        sa.Column("rptka_start_unparsed", sa.Text(), nullable=True),
        sa.Column("rptka_end_unparsed", sa.Text(), nullable=True),
        sa.Column("notifikasi_start_unparsed", sa.Text(), nullable=True),
        sa.Column("notifikasi_end_unparsed", sa.Text(), nullable=True),
        sa.Column("kitas_start_unparsed", sa.Text(), nullable=True),
        sa.Column("kitas_end_unparsed", sa.Text(), nullable=True),
        sa.Column("nationality_unknown", sa.Text(), nullable=True),
        sa.Column("kecamatan_unknown", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("flags", sa.Text(), nullable=True),
        sa.Column("worker_id", sa.String(length=16), nullable=True),
        sa.Column("match_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.worker_id"], name=op.f("fk_source_record_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("period", "record_key", name=op.f("pk_source_record")),
    )
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.create_index("ix_source_record_file", ["period", "file_sha256"], unique=False)
        batch_op.create_index("ix_source_record_worker", ["worker_id"], unique=False)

    op.create_table(
        "worker_month",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("worker_id", sa.String(length=16), nullable=False),
        sa.Column("company_nib", sa.Text(), nullable=True),
        sa.Column("company_name", sa.Text(), nullable=True),
        sa.Column("kecamatan_code", sa.Text(), nullable=True),
        sa.Column("position", sa.Text(), nullable=True),
        sa.Column("nationality", sa.Text(), nullable=True),
        sa.Column("passport_no", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("sex", sa.Text(), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("kitas_no", sa.Text(), nullable=True),
        sa.Column("kitas_start", sa.Date(), nullable=True),
        sa.Column("kitas_end", sa.Date(), nullable=True),
        sa.Column("rptka_no", sa.Text(), nullable=True),
        sa.Column("rptka_start", sa.Date(), nullable=True),
        sa.Column("rptka_end", sa.Date(), nullable=True),
        sa.Column("notifikasi_no", sa.Text(), nullable=True),
        sa.Column("notifikasi_start", sa.Date(), nullable=True),
        sa.Column("notifikasi_end", sa.Date(), nullable=True),
        sa.Column("permit_type", sa.Text(), nullable=True),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("source_count", sa.Integer(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=True),
        sa.Column("flags", sa.Text(), nullable=True),
        sa.Column("conflicts", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.worker_id"], name=op.f("fk_worker_month_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("period", "worker_id", name=op.f("pk_worker_month")),
    )
    with op.batch_alter_table("worker_month", schema=None) as batch_op:
        batch_op.create_index("ix_worker_month_company", ["period", "company_nib"], unique=False)
        batch_op.create_index("ix_worker_month_worker", ["worker_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("worker_month", schema=None) as batch_op:
        batch_op.drop_index("ix_worker_month_worker")
        batch_op.drop_index("ix_worker_month_company")

    op.drop_table("worker_month")
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.drop_index("ix_source_record_worker")
        batch_op.drop_index("ix_source_record_file")

    op.drop_table("source_record")
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.drop_index("ix_worker_passport")

    op.drop_table("worker")
    with op.batch_alter_table("validation_issue", schema=None) as batch_op:
        batch_op.drop_index("ix_validation_issue_id")
        batch_op.drop_index("ix_validation_issue_file")

    op.drop_table("validation_issue")
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_period"))

    op.drop_table("run")
    op.drop_table("period_load")
    with op.batch_alter_table("file_ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_file_ledger_period_source")

    op.drop_table("file_ledger")
    op.drop_table("company_period")
    op.drop_table("company")
    with op.batch_alter_table("alert_ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_ledger_period"))

    op.drop_table("alert_ledger")

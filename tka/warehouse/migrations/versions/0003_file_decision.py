"""file_decision: the steward's decision about a file that might be a revision of another (tka berkas);
file_ledger.superseded_reason: why a file version was replaced; validation_issue ids recomputed with the file's
place (path) in them, so the steward's decisions keep their issues.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 06:20:00
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("file_ledger", schema=None) as batch_op:
        batch_op.add_column(sa.Column("superseded_reason", sa.Text(), nullable=True))
    op.create_table(
        "file_decision",
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("replaced_by", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("path", name="pk_file_decision"),
    )
    op.create_index("ix_file_decision_period", "file_decision", ["period"], unique=False)
    _rekey_issues(with_place=True)


def _issue_id(row: sa.Row, with_place: bool) -> str:
    """The issue id formula of tka.validate.run.issue_id at this revision (frozen here on purpose)."""
    parts = [row.file_path, row.file_sha256, row.sheet, row.row_number, row.column]
    if not with_place:
        parts = parts[1:]
    text = "|".join(["" if p is None else str(p) for p in parts] + [row.rule])
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _rekey_issues(*, with_place: bool) -> None:
    """Give every stored issue the id the pipeline now computes, keeping its status and decision."""
    conn = op.get_bind()
    rows = conn.execute(sa.text('select period, issue_id, file_path, file_sha256, sheet, row_number, "column", rule '
                                "from validation_issue")).all()
    for row in rows:
        new = _issue_id(row, with_place)
        if new != row.issue_id:
            conn.execute(sa.text("update validation_issue set issue_id = :new where period = :period and "
                                 "issue_id = :old"), {"new": new, "period": row.period, "old": row.issue_id})


def downgrade() -> None:
    _rekey_issues(with_place=False)
    op.drop_index("ix_file_decision_period", table_name="file_decision")
    op.drop_table("file_decision")
    with op.batch_alter_table("file_ledger", schema=None) as batch_op:
        batch_op.drop_column("superseded_reason")

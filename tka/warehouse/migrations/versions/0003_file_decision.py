"""file_decision: the steward's decision about a file that might be a revision of another (tka berkas);
file_ledger.superseded_reason: why a file version was replaced.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 06:20:00
"""

from __future__ import annotations

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


def downgrade() -> None:
    op.drop_index("ix_file_decision_period", table_name="file_decision")
    op.drop_table("file_decision")
    with op.batch_alter_table("file_ledger", schema=None) as batch_op:
        batch_op.drop_column("superseded_reason")

"""finding: the cross-source findings of each period (tka.report.findings).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finding",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("finding_id", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("worker_id", sa.String(length=16), nullable=True),
        sa.Column("company_nib", sa.String(length=64), nullable=True),
        sa.Column("company_name", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("period", "finding_id", name=op.f("pk_finding")),
    )
    op.create_index("ix_finding_period_kind", "finding", ["period", "kind"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_finding_period_kind", table_name="finding")
    op.drop_table("finding")

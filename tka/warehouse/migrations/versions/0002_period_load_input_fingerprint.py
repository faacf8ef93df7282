"""period_load.input_fingerprint: what a period's load was computed from, so an unchanged re-run can skip.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("period_load", schema=None) as batch_op:
        batch_op.add_column(sa.Column("input_fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("period_load", schema=None) as batch_op:
        batch_op.drop_column("input_fingerprint")

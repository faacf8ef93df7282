"""run.loaded_at, run.alert_status, run.alert_detail: a run's load and its alerts are told apart.

A failure to deliver an alert after the load marks the alert, not the load, as failed; a run that failed after
its load still shows that the load committed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("alert_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("alert_detail", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_column("alert_detail")
        batch_op.drop_column("alert_status")
        batch_op.drop_column("loaded_at")

"""risk warnings: a subscription's opt-in, and each subscriber's watched headings on the list

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscription") as batch:
        batch.add_column(sa.Column("risk_warnings", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "risk_watch",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subscriber_id", sa.Integer(), sa.ForeignKey("subscriber.id"), nullable=False),
        sa.Column("market", sa.String(8), nullable=False),
        sa.Column("heading", sa.String(4), nullable=False),
        sa.Column("in_top", sa.Boolean(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("risk_run.id"), nullable=True),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("delivery.id"), nullable=True),
        sa.UniqueConstraint("subscriber_id", "market", "heading"),
    )
    op.create_index("ix_risk_watch_delivery_id", "risk_watch", ["delivery_id"])


def downgrade() -> None:
    op.drop_index("ix_risk_watch_delivery_id", table_name="risk_watch")
    op.drop_table("risk_watch")
    with op.batch_alter_table("subscription") as batch:
        batch.drop_column("risk_warnings")

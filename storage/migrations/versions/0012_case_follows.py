"""case follows and reminders: a subscriber follows a case and is reminded before its deadlines

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_follow",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subscriber_id", sa.Integer(), sa.ForeignKey("subscriber.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("trade_case.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unfollowed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("subscriber_id", "case_id"),
    )
    op.create_index("ix_case_follow_case_id", "case_follow", ["case_id"])
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subscriber_id", sa.Integer(), sa.ForeignKey("subscriber.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("trade_case.id"), nullable=False),
        sa.Column("notice_id", sa.Integer(), sa.ForeignKey("notice.id"), nullable=False),
        sa.Column("deadline_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("delivery.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("subscriber_id", "case_id", "deadline_on", "kind", "days_before",
                            name="uq_reminder_once"),
    )
    op.create_index("ix_reminder_delivery_id", "reminder", ["delivery_id"])


def downgrade() -> None:
    op.drop_index("ix_reminder_delivery_id", table_name="reminder")
    op.drop_table("reminder")
    op.drop_index("ix_case_follow_case_id", table_name="case_follow")
    op.drop_table("case_follow")

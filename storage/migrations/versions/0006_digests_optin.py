"""digests and double opt-in

Deliveries get a kind ("alert", "daily", "weekly", "confirmation") and a period, unique per
(subscriber, kind, period), and their notice becomes optional (a digest is about a period, a
confirmation about nobody's notice). Subscriptions get ``digest_when_empty``; subscribers get
``unsubscribed_at``; matches are indexed by creation time, which is how digests select a period.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), server_default="alert",
                                      nullable=False))
        batch_op.add_column(sa.Column("period", sa.String(length=16), nullable=True))
        batch_op.alter_column("notice_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint("uq_delivery_subscriber_kind_period",
                                          ["subscriber_id", "kind", "period"])

    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_when_empty", sa.Boolean(),
                                      server_default=sa.false(), nullable=False))

    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unsubscribed_at", sa.DateTime(timezone=True),
                                      nullable=True))

    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.create_index("ix_match_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.drop_index("ix_match_created_at")

    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.drop_column("unsubscribed_at")

    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_column("digest_when_empty")

    op.execute("DELETE FROM delivery WHERE notice_id IS NULL")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_constraint("uq_delivery_subscriber_kind_period", type_="unique")
        batch_op.alter_column("notice_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("period")
        batch_op.drop_column("kind")

"""delivery retries: next_attempt_at on delivery and operator_alert

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24

The sender's retry schedule (backoff after a 4xx or timeout) and the expiry of a send claim
(status "sending") both live in next_attempt_at. The new statuses ("sending", "uncertain") fit
the existing String(16) status columns, so no other change is needed.
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('operator_alert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('operator_alert', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')

"""subscription filters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('all_sectors', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('hs_codes', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('keywords', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('markets', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('measures', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('vietnam_roles', sa.JSON(), server_default='["subject", "circumvention", "diversion"]', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_column('vietnam_roles')
        batch_op.drop_column('measures')
        batch_op.drop_column('markets')
        batch_op.drop_column('keywords')
        batch_op.drop_column('hs_codes')
        batch_op.drop_column('all_sectors')


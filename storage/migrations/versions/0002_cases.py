"""cases

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('trade_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('market', sa.String(length=8), nullable=False),
    sa.Column('origin', sa.String(length=3), nullable=True),
    sa.Column('measure', sa.String(length=4), nullable=True),
    sa.Column('product', sa.String(length=300), nullable=False),
    sa.Column('vietnam', sa.String(length=16), nullable=False),
    sa.Column('proceeding', sa.String(length=32), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('last_event_on', sa.Date(), nullable=True),
    sa.Column('next_step', sa.String(length=40), nullable=True),
    sa.Column('next_due', sa.Date(), nullable=True),
    sa.Column('next_basis', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('trade_case', schema=None) as batch_op:
        batch_op.create_index('ix_trade_case_product', ['market', 'product', 'origin', 'measure'], unique=False)
        batch_op.create_index(batch_op.f('ix_trade_case_vietnam'), ['vietnam'], unique=False)

    op.create_table('case_number',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('market', sa.String(length=8), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['trade_case.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('market', 'number')
    )
    with op.batch_alter_table('case_number', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_number_case_id'), ['case_id'], unique=False)

    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('proceeding', sa.String(length=32), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('event_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['trade_case.id'], ),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'notice_id')
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_event_notice_id'), ['notice_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_event_notice_id'))

    op.drop_table('case_event')
    with op.batch_alter_table('case_number', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_number_case_id'))

    op.drop_table('case_number')
    with op.batch_alter_table('trade_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trade_case_vietnam'))
        batch_op.drop_index('ix_trade_case_product')

    op.drop_table('trade_case')

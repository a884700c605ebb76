"""case history columns

Cases loaded from the historic US case lists (`trews cases import`) keep their order date, the
date the order was revoked or the case withdrawn, the HS codes the lists give, and the
'file:line' of every list row they were read from.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trade_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ordered_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("revoked_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("hs_codes", sa.JSON(), server_default="[]",
                                      nullable=False))
        batch_op.add_column(sa.Column("history_rows", sa.JSON(), server_default="[]",
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("trade_case", schema=None) as batch_op:
        batch_op.drop_column("history_rows")
        batch_op.drop_column("hs_codes")
        batch_op.drop_column("revoked_on")
        batch_op.drop_column("ordered_on")

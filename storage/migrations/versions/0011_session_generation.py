"""users' session generation: logging out ends the session on the server

A session cookie is signed with the user's session generation; logging out counts it up, so a
copy of the cookie (kept by a proxy, a shared computer or a thief) stops working at once rather
than at the end of its 8 hours. Existing users start at 0.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_generation")

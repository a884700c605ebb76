"""notices kept whatever their guid or URL, and quarantined when their analysis fails

``notice.external_id`` (was 200 characters) and ``notice.url`` (was 1,000) become text: on
PostgreSQL a longer guid or URL failed the insert and the notice was lost. A notice whose
analysis fails is set aside with ``analysis_failed_at`` and ``analysis_error`` instead of
stopping the analysis of every notice after it; it is analysed again when its content changes.

The downgrade restores the bounded types; on PostgreSQL it fails, cutting nothing, while a
longer guid or URL is stored.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.alter_column("external_id", existing_type=sa.String(length=200),
                              type_=sa.Text(), existing_nullable=False)
        batch_op.alter_column("url", existing_type=sa.String(length=1000), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.add_column(sa.Column("analysis_failed_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("analysis_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_column("analysis_error")
        batch_op.drop_column("analysis_failed_at")
        batch_op.alter_column("url", existing_type=sa.Text(), type_=sa.String(length=1000),
                              existing_nullable=False)
        batch_op.alter_column("external_id", existing_type=sa.Text(),
                              type_=sa.String(length=200), existing_nullable=False)

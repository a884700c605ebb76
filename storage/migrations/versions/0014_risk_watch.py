"""risk watch: each computation of the ranked (market, HS heading) list, and its scores

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("horizon_months", sa.Integer(), nullable=False),
        sa.Column("history_cases", sa.Integer(), nullable=False),
        sa.Column("history_end", sa.Date(), nullable=True),
        sa.Column("model", sa.JSON(), nullable=False),
        sa.Column("track", sa.JSON(), nullable=False),
    )
    op.create_table(
        "risk_score",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("risk_run.id"), nullable=False),
        sa.Column("market", sa.String(8), nullable=False),
        sa.Column("heading", sa.String(4), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.UniqueConstraint("run_id", "market", "heading"),
    )
    op.create_index("ix_risk_score_rank", "risk_score", ["run_id", "market", "rank"])


def downgrade() -> None:
    op.drop_index("ix_risk_score_rank", table_name="risk_score")
    op.drop_table("risk_score")
    op.drop_table("risk_run")

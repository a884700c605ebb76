"""job runs, and operator alerts about jobs and the outbox

Every run of a service job is a ``job_run`` row (outcome, error, failures in a row, the job's own
counts). Operator alerts are no longer only about a source: ``source_id`` becomes optional and
``job_id`` names the job (or "outbox") an alert is about, ``since_at`` when the trouble began and
``count`` how big it is (failures in a row, or mails overdue).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job_id", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
    )
    op.create_index("ix_job_run_job_id", "job_run", ["job_id"])

    with op.batch_alter_table("operator_alert", schema=None) as batch_op:
        batch_op.alter_column("source_id", existing_type=sa.String(length=64), nullable=True)
        batch_op.add_column(sa.Column("job_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("since_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("count", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM operator_alert WHERE source_id IS NULL")
    with op.batch_alter_table("operator_alert", schema=None) as batch_op:
        batch_op.drop_column("count")
        batch_op.drop_column("since_at")
        batch_op.drop_column("job_id")
        batch_op.alter_column("source_id", existing_type=sa.String(length=64), nullable=False)

    op.drop_index("ix_job_run_job_id", table_name="job_run")
    op.drop_table("job_run")

"""what opened each case: a new investigation, a circumvention inquiry, a review, or a case first
seen at a later step (with that step's stage), so cases can be counted by what opened them

Existing cases are filled in from their earliest step on record (a case only the historic lists
know: an investigation when they give its petition or initiation date, else its stage).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from rules.case_identity import opening

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trade_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opened_by", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("first_stage", sa.String(32), nullable=True))
        batch_op.create_index("ix_trade_case_opened_by", ["opened_by"])
    connection = op.get_bind()
    cases = sa.table("trade_case", sa.column("id"), sa.column("stage"), sa.column("opened_on"),
                     sa.column("opened_by"), sa.column("first_stage"))
    events = sa.table("case_event", sa.column("case_id"), sa.column("proceeding"),
                      sa.column("stage"), sa.column("event_on"), sa.column("id"))
    first: dict[int, tuple[str, str]] = {}
    for case_id, proceeding, stage in connection.execute(
            sa.select(events.c.case_id, events.c.proceeding, events.c.stage)
            .order_by(events.c.case_id, events.c.event_on.is_(None), events.c.event_on,
                      events.c.id)):
        first.setdefault(case_id, (proceeding, stage))
    for case_id, stage, opened_on in connection.execute(
            sa.select(cases.c.id, cases.c.stage, cases.c.opened_on)):
        if case_id in first:
            proceeding, first_stage = first[case_id]
            values = {"opened_by": opening(proceeding, first_stage), "first_stage": first_stage}
        elif opened_on is not None:
            values = {"opened_by": "investigation", "first_stage": "initiation"}
        else:
            values = {"opened_by": "later", "first_stage": stage}
        connection.execute(sa.update(cases).where(cases.c.id == case_id).values(**values))


def downgrade() -> None:
    with op.batch_alter_table("trade_case", schema=None) as batch_op:
        batch_op.drop_index("ix_trade_case_opened_by")
        batch_op.drop_column("first_stage")
        batch_op.drop_column("opened_by")

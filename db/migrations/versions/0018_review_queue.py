"""The review queue (issue 16, point 2): a week's queue made — its week and the seed its random sample was
drawn with — and the dialogs chosen for it, in the order it is walked.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_weeks",
        sa.Column("week", sa.Integer(), primary_key=True, autoincrement=False),  # its Monday, yyyymmdd
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "review_queue",
        sa.Column(
            "week",
            sa.Integer(),
            sa.ForeignKey("review_weeks.week", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("position", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("dialog_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_queue")
    op.drop_table("review_weeks")

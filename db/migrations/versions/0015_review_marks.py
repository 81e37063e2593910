"""Review marks (issue 16, point 1): a head's mark of a dialog, 1–5, with an optional comment; and the list
views' review filter («без оценки», «оценка ≤ 2»), part of what makes a stored view one of a kind.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VIEW_KEY = ["search_text", "channel", "employee_id", "period"]


def upgrade() -> None:
    # SQLite changes no table constraint in place: the (small) table of stored views is copied. The new
    # table comes after it, on the pages the copy left free
    with op.batch_alter_table("list_views") as table:
        table.add_column(sa.Column("review", sa.String(8), nullable=False, server_default=""))
        table.drop_constraint("uq_list_views", type_="unique")
        table.create_unique_constraint("uq_list_views", [*_VIEW_KEY, "review"])
    op.create_table(
        "review_marks",
        sa.Column(
            "dialog_id",
            sa.Integer(),
            sa.ForeignKey("dialogs.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("mark", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(500), nullable=True),
        sa.Column("reviewer_id", sa.BigInteger(), nullable=False),
        sa.Column("reviewer_name", sa.String(200), nullable=True),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_review_marks_mark", "review_marks", ["mark", "dialog_id"])


def downgrade() -> None:
    op.drop_index("ix_review_marks_mark", table_name="review_marks")
    op.drop_table("review_marks")
    op.execute("DELETE FROM list_views WHERE review != ''")  # views of a filter the old schema cannot hold
    with op.batch_alter_table("list_views") as table:
        table.drop_constraint("uq_list_views", type_="unique")
        table.create_unique_constraint("uq_list_views", _VIEW_KEY)
        table.drop_column("review")

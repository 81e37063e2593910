"""List views (a search with filters, stored by id) replace saved searches, keeping their ids so that old
buttons still work; daily statistics for the filters' totals and the analytics; indexes of a channel's and
an employee's dialogs in time order for the filters.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "list_views",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("search_text", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("total_key", sa.String(64), nullable=False, server_default=""),
        sa.UniqueConstraint("search_text", "channel", "employee_id", "period", name="uq_list_views"),
    )
    op.execute(
        "INSERT INTO list_views (id, search_text, channel, employee_id, period, created_at)"
        " SELECT id, text, '', 0, '', created_at FROM saved_searches"
    )
    op.drop_table("saved_searches")
    op.create_index("ix_client_phones_dialog_count", "client_phones", ["dialog_count"])
    op.create_index("ix_dialogs_channel_time", "dialogs", ["channel", "completed_at"])
    op.create_index("ix_dialogs_employee_time", "dialogs", ["employee_id", "completed_at"])
    op.create_table(
        "daily_stats",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("channel", sa.String(32), primary_key=True),
        sa.Column("employee_id", sa.Integer(), primary_key=True),
        sa.Column("dialogs", sa.Integer(), nullable=False),
        sa.Column("messages", sa.BigInteger(), nullable=False),
        sa.Column("duration_s", sa.BigInteger(), nullable=False),
        sa.Column("timed", sa.Integer(), nullable=False),
    )
    op.create_index("ix_daily_stats_channel", "daily_stats", ["channel", "day", "dialogs"])
    op.create_index("ix_daily_stats_employee", "daily_stats", ["employee_id", "day", "dialogs"])
    op.create_index(
        "ix_daily_stats_channel_employee", "daily_stats", ["channel", "employee_id", "day", "dialogs"]
    )
    op.create_table(
        "hourly_stats",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("hour", sa.Integer(), primary_key=True),
        sa.Column("dialogs", sa.Integer(), nullable=False),
    )
    op.create_table(
        "duration_stats",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("employee_id", sa.Integer(), primary_key=True),
        sa.Column("bucket", sa.Integer(), primary_key=True),
        sa.Column("dialogs", sa.Integer(), nullable=False),
    )
    # empty: the statistics are counted by the first start or import that knows the time zone
    op.create_table("stats_zone", sa.Column("name", sa.String(64), primary_key=True))


def downgrade() -> None:
    for table in ("stats_zone", "duration_stats", "hourly_stats", "daily_stats"):
        op.drop_table(table)
    op.drop_index("ix_dialogs_employee_time", table_name="dialogs")
    op.drop_index("ix_dialogs_channel_time", table_name="dialogs")
    op.drop_index("ix_client_phones_dialog_count", table_name="client_phones")
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.execute(
        "INSERT INTO saved_searches (id, text, created_at) SELECT id, search_text, created_at"
        " FROM list_views WHERE channel = '' AND employee_id = 0 AND period = '' AND search_text != ''"
    )
    op.drop_table("list_views")

"""The dialog archive: dialogs, names, phones, employees, transcripts, bot users, audit log, search indexes.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.search import SQLITE_SEARCH_DDL, SQLITE_SEARCH_DROP

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "employees",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("name_fold", sa.String(200), nullable=False),
    )
    op.create_index("ix_employees_name_fold", "employees", ["name_fold"])
    op.create_table(
        "client_names",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("name_fold", sa.String(200), nullable=False),
        sa.Column("dialog_count", sa.Integer(), nullable=False),
    )
    op.create_table(
        "client_phones",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("e164", sa.String(20), nullable=False, unique=True),
        sa.Column("dialog_count", sa.Integer(), nullable=False),
    )
    op.create_table(
        "dialogs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_id", sa.String(100), nullable=False, unique=True),
        sa.Column("client_name", sa.String(200), nullable=True),
        sa.Column("client_phone", sa.String(20), nullable=False),
        sa.Column("client_sort", sa.String(200), nullable=False),
        sa.Column("name_id", sa.Integer(), sa.ForeignKey("client_names.id"), nullable=True),
        sa.Column("phone_id", sa.Integer(), sa.ForeignKey("client_phones.id"), nullable=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("employee_id", sa.Integer(), sa.ForeignKey("employees.id"), nullable=True),
        sa.Column("employee_sort", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_dialogs_name_id", "dialogs", ["name_id"])
    op.create_index("ix_dialogs_phone_id", "dialogs", ["phone_id"])
    for name, column in (
        ("ix_dialogs_client_sort", "client_sort"),
        ("ix_dialogs_channel", "channel"),
        ("ix_dialogs_client_phone", "client_phone"),
        ("ix_dialogs_employee_sort", "employee_sort"),
        ("ix_dialogs_completed_at", "completed_at"),
        ("ix_dialogs_message_count", "message_count"),
    ):
        op.create_index(name, "dialogs", [column, "id"])
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dialog_id", sa.Integer(), sa.ForeignKey("dialogs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("sender", sa.String(10), nullable=False),
        sa.Column("author", sa.String(200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.UniqueConstraint("dialog_id", "position", name="uq_messages_dialog_position"),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "bot_users",
        sa.Column("telegram_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("dialog_id", sa.Integer(), sa.ForeignKey("dialogs.id", ondelete="SET NULL"), nullable=True),
        sa.Column("detail", sa.String(500), nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_telegram_id", "audit_log", ["telegram_id"])
    for statement in SQLITE_SEARCH_DDL:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_SEARCH_DROP:
        op.execute(statement)
    for table in ("audit_log", "bot_users", "counters", "messages", "dialogs"):
        op.drop_table(table)
    for table in ("client_phones", "client_names", "employees"):
        op.drop_table(table)

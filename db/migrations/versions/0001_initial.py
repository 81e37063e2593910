"""The dialog archive: dialogs, names, phones, employees, transcripts, bot users, audit log, search indexes.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The name and phone search indexes (SQLite FTS5): external-content trigram tables kept in step with their
# tables by triggers. Written out here, not imported: a migration does what it did when it was written.
SQLITE_SEARCH_DDL = (
    "CREATE VIRTUAL TABLE client_names_fts USING fts5("
    "name_fold, content='client_names', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER client_names_fts_insert AFTER INSERT ON client_names BEGIN"
    " INSERT INTO client_names_fts(rowid, name_fold) VALUES (new.id, new.name_fold); END",
    "CREATE TRIGGER client_names_fts_delete AFTER DELETE ON client_names BEGIN"
    " INSERT INTO client_names_fts(client_names_fts, rowid, name_fold)"
    " VALUES ('delete', old.id, old.name_fold); END",
    "CREATE TRIGGER client_names_fts_update AFTER UPDATE OF name_fold ON client_names BEGIN"
    " INSERT INTO client_names_fts(client_names_fts, rowid, name_fold)"
    " VALUES ('delete', old.id, old.name_fold);"
    " INSERT INTO client_names_fts(rowid, name_fold) VALUES (new.id, new.name_fold); END",
    "CREATE VIRTUAL TABLE client_phones_fts USING fts5("
    "e164, content='client_phones', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER client_phones_fts_insert AFTER INSERT ON client_phones BEGIN"
    " INSERT INTO client_phones_fts(rowid, e164) VALUES (new.id, new.e164); END",
    "CREATE TRIGGER client_phones_fts_delete AFTER DELETE ON client_phones BEGIN"
    " INSERT INTO client_phones_fts(client_phones_fts, rowid, e164) VALUES ('delete', old.id, old.e164); END",
)
SQLITE_SEARCH_DROP = (
    "DROP TRIGGER client_phones_fts_delete",
    "DROP TRIGGER client_phones_fts_insert",
    "DROP TABLE client_phones_fts",
    "DROP TRIGGER client_names_fts_update",
    "DROP TRIGGER client_names_fts_delete",
    "DROP TRIGGER client_names_fts_insert",
    "DROP TABLE client_names_fts",
)


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
    if op.get_bind().dialect.name == "sqlite":  # PostgreSQL's search indexes: migration 0013
        for statement in SQLITE_SEARCH_DDL:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_SEARCH_DROP:
            op.execute(statement)
    for table in ("audit_log", "bot_users", "counters", "messages", "dialogs"):
        op.drop_table(table)
    for table in ("client_phones", "client_names", "employees"):
        op.drop_table(table)

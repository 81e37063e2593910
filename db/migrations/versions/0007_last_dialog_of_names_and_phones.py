"""Each distinct name and number knows the time of its newest dialog, so that the first page of a search
in time order reads the dialogs of the few names or numbers that can be on it, not of all that match.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (("client_names", "name_id"), ("client_phones", "phone_id"))


def upgrade() -> None:
    for table, column in TABLES:
        op.add_column(table, sa.Column("last_completed_at", sa.DateTime(), nullable=True))
        op.execute(
            f"UPDATE {table} SET last_completed_at ="
            f" (SELECT MAX(completed_at) FROM dialogs WHERE {column} = {table}.id)"
        )


def downgrade() -> None:
    for table, _ in TABLES:
        # in place (SQLite 3.35+): a batch copy of the table would lose its search index triggers
        op.execute(f"ALTER TABLE {table} DROP COLUMN last_completed_at")

"""A manager may be linked to the employee they are in the archive (`dialogs-bot users add ID --role manager
--employee NAME`): with MANAGER_SCOPE=own they see that employee's dialogs only.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-20
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # in place on both engines (SQLite adds a column with a REFERENCES clause and a NULL default without
    # copying the table, which would leave the old copy's pages free in the file)
    op.execute("ALTER TABLE bot_users ADD COLUMN employee_id INTEGER REFERENCES employees (id)")


def downgrade() -> None:
    # SQLite drops no column a foreign key names: the table is copied without it
    with op.batch_alter_table("bot_users") as table:
        table.drop_column("employee_id")

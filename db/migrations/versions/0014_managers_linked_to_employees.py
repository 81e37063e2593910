"""A manager may be linked to the employee they are in the archive (`dialogs-bot users add ID --role manager
--employee NAME`): with MANAGER_SCOPE=own they see that employee's dialogs only.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-20
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite copies the (small) table to add the foreign key; PostgreSQL alters it in place
    with op.batch_alter_table("bot_users") as table:
        table.add_column(sa.Column("employee_id", sa.Integer(), nullable=True))
        table.create_foreign_key("fk_bot_users_employee_id", "employees", ["employee_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("bot_users") as table:
        table.drop_constraint("fk_bot_users_employee_id", type_="foreignkey")
        table.drop_column("employee_id")

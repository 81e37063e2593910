"""The name and phone indexes of dialogs also hold the completion time, so that a search's matches are
sorted by time (the default) without reading their rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for column in ("name_id", "phone_id"):
        op.drop_index(f"ix_dialogs_{column}", table_name="dialogs")
        op.create_index(f"ix_dialogs_{column}", "dialogs", [column, "completed_at"])


def downgrade() -> None:
    for column in ("name_id", "phone_id"):
        op.drop_index(f"ix_dialogs_{column}", table_name="dialogs")
        op.create_index(f"ix_dialogs_{column}", "dialogs", [column])

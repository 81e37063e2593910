"""The completion time index also holds the client's folded name and number, so that a search with many
matches, walking the list in time order (the default), tests each dialog in the index alone and reads the
rows of the page's own dialogs only: "Иван" went from 0.9 to 0.15 ms a page at a million dialogs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_dialogs_completed_at"


def upgrade() -> None:
    op.drop_index(INDEX, table_name="dialogs")
    op.create_index(INDEX, "dialogs", ["completed_at", "id", "client_sort", "client_phone"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="dialogs")
    op.create_index(INDEX, "dialogs", ["completed_at", "id"])

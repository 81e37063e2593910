"""The client names by their folded form: a card counts a client known by name as the list of that name
counts them, every spelling of it (any case, ё = е) summed (`db.cards`).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_client_names_name_fold", "client_names", ["name_fold"])


def downgrade() -> None:
    op.drop_index("ix_client_names_name_fold", "client_names")

"""A list sorted by client ends with the clients without a name both ways (А→Я and Я→А): a second sort key
for going up, and the nameless' number moved below every name in the first (`db.importer.client_sort_keys`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as `db.importer.NAMELESS_BELOW` and `NAMELESS_ABOVE` were when this was written
BELOW, ABOVE = "\x01", "\U0010ffff"


def upgrade() -> None:
    op.add_column("dialogs", sa.Column("client_sort_up", sa.String(200), nullable=False, server_default=""))
    op.execute(
        sa.text(
            "UPDATE dialogs SET client_sort = CASE WHEN name_id IS NULL THEN :below || client_phone"
            " ELSE client_sort END, client_sort_up = CASE WHEN name_id IS NULL THEN :above || client_phone"
            " ELSE client_sort END"
        ).bindparams(below=BELOW, above=ABOVE)
    )
    op.create_index("ix_dialogs_client_sort_up", "dialogs", ["client_sort_up", "id"])


def downgrade() -> None:
    op.drop_index("ix_dialogs_client_sort_up", "dialogs")
    # in place (SQLite 3.35+), not by a batch copy of the whole table
    op.execute("ALTER TABLE dialogs DROP COLUMN client_sort_up")
    op.execute("UPDATE dialogs SET client_sort = client_phone WHERE name_id IS NULL")

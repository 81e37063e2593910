"""The names' trigram index (0013) takes each new name into its tree at once (`fastupdate = off`), on
PostgreSQL (nothing on SQLite).

A GIN index otherwise gathers new entries in a pending list, up to 4 MB, until a vacuum or a full list
moves them into the tree, and every search through it reads the whole list first: 362 entries (14 pages)
cost a name search 0.12 ms at 1M (0.45 → 0.57 ms), 3,000 made its p99 9–11 ms instead of 2; and names
arrive a few a day with the new clients, so autovacuum, which waits for a fifth of the table to be new,
would leave a list growing for weeks. A name then costs its insert, and each new version of its row (its
count kept), ~35–80 µs more: an import of 1M dialogs into an empty archive (35,706 names, taken in and
then counted once) ~4 s of its 150–165 s. The numbers' index
keeps its pending list: it serves only searches by two or three digits (more go through the grams, 0006),
which read thousands of numbers anyway, and taking 230,000 numbers one by one would add ~16 s to that
import.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAMES_INDEX = "ix_trgm_client_names_name_fold"  # written out here, as 0013 made it


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER INDEX {NAMES_INDEX} SET (fastupdate = off)")
    # what the list holds already stays there (and is read) until it is moved
    op.execute(f"SELECT gin_clean_pending_list('{NAMES_INDEX}')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER INDEX {NAMES_INDEX} RESET (fastupdate)")

"""What PostgreSQL needs beyond the models (nothing on SQLite): `pg_trgm`, the name and phone search
indexes, and the sort keys compared by code point.

- `pg_trgm` GIN indexes on the folded names and on the numbers' digits serve `LIKE '%…%'`
  (`db.postgres.search`). The numbers' index is on their digits (`ltrim(e164, '+')`), not on the column:
  pg_trgm serves `=` too, and the planner chose the trigram index for the import's lookups of numbers by
  the column (`e164 IN (…)`, 500 at a time), ~1 s each where the unique index takes ~5 ms;
- the columns the list sorts and pages by use the "C" collation, as SQLite compares text: a database's
  own locale would order «ё» or punctuation otherwise, put the nameless clients' marks (`\\x01`, U+10FFFF)
  anywhere, and make every index comparison slower.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# written out here, not imported: a migration does what it did when it was written
TRIGRAM_INDEXES = (
    ("ix_trgm_client_names_name_fold", "client_names", "name_fold"),
    ("ix_trgm_client_phones_digits", "client_phones", "(ltrim(e164, '+'))"),
)
CODE_POINT_ORDER = (
    ("dialogs", "source_id", 100),
    ("dialogs", "client_phone", 20),
    ("dialogs", "client_sort", 200),
    ("dialogs", "client_sort_up", 200),
    ("dialogs", "channel", 32),
    ("dialogs", "employee_sort", 200),
    ("client_names", "name", 200),
    ("client_names", "name_fold", 200),
    ("client_phones", "e164", 20),
    ("employees", "name", 200),
    ("employees", "name_fold", 200),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # `migrate` checked the database first (db.postgres.connection.check_database): UTF-8 character
    # classes, and pg_trgm there or allowed
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column, length in CODE_POINT_ORDER:
        op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"')
    for name, table, column in TRIGRAM_INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")
    op.execute(sa.text("ANALYZE"))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _, _ in TRIGRAM_INDEXES:
        op.execute(f"DROP INDEX {name}")
    for table, column, length in CODE_POINT_ORDER:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length})")

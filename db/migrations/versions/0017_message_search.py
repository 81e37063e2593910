"""Keyword search inside conversations (issue 16, point 4): the index of the messages' words, built for
the transcripts already stored, and the table of searches made (their ids travel in the buttons).

- SQLite: a contentless FTS5 table `messages_fts` of each message's text folded ё→е (FTS5's unicode61
  folds case, Cyrillic too, not ё), and the table of the words it holds (`messages_fts_terms`), kept by
  the import (`db.sqlite.keywords`);
- PostgreSQL: a GIN index on the words of each message's folded text (`db.postgres.keywords`).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# written out here, not imported: a migration does what it did when it was written. The PostgreSQL
# expression is `db.postgres.keywords.words_of('text')` character for character (else no query uses it)
SQLITE_FOLDED = "replace(replace(text, 'ё', 'е'), 'Ё', 'Е')"
POSTGRES_WORDS = (
    "to_tsvector('simple'::regconfig,"
    " regexp_replace(translate(lower(text), 'ё', 'е'), '[^[:alnum:]]+', ' ', 'g'))"
)


def upgrade() -> None:
    op.create_table(
        "keyword_searches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("words", sa.String(100), nullable=False),
        sa.Column("view_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("words", "view_id", name="uq_keyword_searches"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_fts_messages_words ON messages USING gin ({POSTGRES_WORDS})")
        op.execute(sa.text("ANALYZE messages"))
        return
    op.execute(
        "CREATE VIRTUAL TABLE messages_fts USING fts5("
        "words, content='', tokenize='unicode61 remove_diacritics 0')"
    )
    op.execute(f"INSERT INTO messages_fts (rowid, words) SELECT id, {SQLITE_FOLDED} FROM messages")
    op.execute("INSERT INTO messages_fts (messages_fts) VALUES ('optimize')")  # one segment to read
    # every word the index holds, which a prefix typed is asked as (`db.sqlite.keywords`)
    op.execute("CREATE TABLE messages_fts_terms (term TEXT PRIMARY KEY) WITHOUT ROWID")
    op.execute("CREATE VIRTUAL TABLE temp.messages_fts_vocabulary USING fts5vocab(main, messages_fts, 'row')")
    op.execute("INSERT INTO messages_fts_terms (term) SELECT term FROM temp.messages_fts_vocabulary")
    op.execute("DROP TABLE temp.messages_fts_vocabulary")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_fts_messages_words")
    else:
        op.execute("DROP TABLE messages_fts_terms")
        op.execute("DROP TABLE messages_fts")
    op.drop_table("keyword_searches")

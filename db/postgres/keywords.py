"""The words of the conversations on PostgreSQL: a GIN index on the words of each message's folded text
(`ix_fts_messages_words`, made by migration 0017), which PostgreSQL keeps in step by itself.

The words are those SQLite's FTS5 index finds (`db.sqlite.keywords`): the text lower-cased, ё→е, every run
of characters that are neither letters nor digits a space (as FTS5's unicode61 splits words), then the
`simple` configuration's words (no stemming, no stop words). A prefix is `'дорог':*`.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection

from db.engine import run_sql

KEYWORD_INDEX = "ix_fts_messages_words"
MIN_PREFIX = 3  # as on SQLite: shorter words are matched whole


def words_of(column: str) -> str:
    """The indexed expression over a text column: written out the same in migration 0017 (a statement
    uses the index only when its expression is the index's, character for character)."""
    return (
        "to_tsvector('simple'::regconfig,"
        f" regexp_replace(translate(lower({column}), 'ё', 'е'), '[^[:alnum:]]+', ' ', 'g'))"
    )


QUERY = "to_tsquery('simple'::regconfig, :q)"
MESSAGE_ID = "id"  # the id column of `MATCHING_MESSAGES`
MATCHING_MESSAGES = f"SELECT id FROM messages WHERE {words_of('text')} @@ {QUERY}"
# the dialogs of the messages that hold every word, as a FROM clause and its condition on `d`: their ids
# made first, each dialog then read by its key (as a join, PostgreSQL read every dialog to hash them: 35 of
# 66 ms for 1,709 dialogs in 100,000), and the dialog's id read from the message the index found (not
# looked up again by the message's id)
FOUND_DIALOGS = (
    "dialogs d",
    f"d.id = ANY(ARRAY(SELECT DISTINCT dialog_id FROM messages WHERE {words_of('text')} @@ {QUERY}))",
)
# a dialog `d` one of whose messages holds every word, its messages tested one by one: for the dialogs walked
# newest first. OFFSET 0 keeps it a test of each dialog walked: without it, the plan PostgreSQL keeps for
# any words (after five searches) joins every message holding them, listed by the index, to every dialog
# (a word in 1 % of 15M messages: 144 ms a page, 15 s with JIT, where the walk takes 16 ms)
DIALOG_MATCHES = (
    f"EXISTS (SELECT 1 FROM messages k WHERE k.dialog_id = d.id AND {words_of('k.text')} @@ {QUERY} OFFSET 0)"
)
FIRST_MATCH = (
    "SELECT m.position, m.sender, m.author, m.text FROM messages m"
    f" WHERE m.dialog_id = :dialog AND {words_of('m.text')} @@ {QUERY} ORDER BY m.position LIMIT 1"
)


def estimated_messages(connection: Connection, query: str) -> int | None:
    """How many messages hold the words of `query` by the statistics of the index (the planner's own
    estimate: ~0.25 ms, nothing read). Counting them, even up to a limit, first reads the index's whole list
    of the messages holding the words (its scans build a bitmap; none stops early): «есть», in 280,064 of 1.5
    million messages, took 34 ms, ~0.12 µs a message."""
    (plan,) = run_sql(connection, f"EXPLAIN (FORMAT JSON) {MATCHING_MESSAGES}", {"q": query}).fetchone()
    explained = json.loads(plan) if isinstance(plan, str) else plan  # asyncpg hands JSON over as text
    return int(explained[0]["Plan"]["Plan Rows"])


def match_query(connection: Connection, terms: list[str]) -> str:
    """A tsquery of messages holding every term, each as the start of a word (a short one whole); every
    term a quoted lexeme, whatever it holds."""
    return " & ".join(_quoted(term) + (":*" if len(term) >= MIN_PREFIX else "") for term in terms)


def _quoted(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def unindex(connection: Connection, dialogs: str, params: dict[str, object]) -> None:
    """Nothing to do: the index is PostgreSQL's own, kept with the rows."""


def index(connection: Connection, dialogs: str, params: dict[str, object], texts: list[str]) -> None:
    """Nothing to do: the index is PostgreSQL's own, kept with the rows."""


def is_keyword_index(index_name: str) -> bool:
    return index_name == KEYWORD_INDEX

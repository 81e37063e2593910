"""The words of the conversations on SQLite: an FTS5 index of the messages (`messages_fts`, made by migration
0017) and the statements that read and keep it.

The index is contentless (`content=''`): it holds the words of each message's text folded ё→е (FTS5's
unicode61 tokenizer folds case, Cyrillic too, but leaves ё apart from е), which no table stores. A message
is taken out of it with the 'delete' command and the very words it was indexed with, the same fold of the
same stored text (`FOLDED`), before the message itself is deleted.
"""

from __future__ import annotations

from sqlalchemy import Connection

from db.engine import run_sql

KEYWORD_INDEX = "messages_fts"
# the text as indexed: written out the same in migration 0017, which builds the index
FOLDED = "replace(replace(m.text, 'ё', 'е'), 'Ё', 'Е')"
MIN_PREFIX = 3  # shorter words are matched whole: a one-letter prefix would merge most of the index

# the messages that hold every word (`:q`, `match_query`), by id
MATCHING_MESSAGES = f"SELECT rowid FROM {KEYWORD_INDEX} WHERE {KEYWORD_INDEX} MATCH :q"
# a dialog `d` one of whose messages holds every word: the index read within the dialog's message ids alone
# (a transcript is stored in one go, its ids together), each match checked to be the dialog's
DIALOG_MATCHES = (
    f"EXISTS (SELECT 1 FROM {KEYWORD_INDEX} f JOIN messages k ON k.id = f.rowid"
    f" WHERE {KEYWORD_INDEX} MATCH :q"
    " AND f.rowid >= (SELECT min(id) FROM messages WHERE dialog_id = d.id)"
    " AND f.rowid <= (SELECT max(id) FROM messages WHERE dialog_id = d.id) AND k.dialog_id = d.id)"
)
# a message `m` that holds every word
MESSAGE_MATCHES = f"m.id IN ({MATCHING_MESSAGES} AND rowid = m.id)"


def match_query(terms: list[str]) -> str:
    """An FTS5 query of messages holding every term, each as the start of a word (a short one whole);
    every term a quoted string, whatever it holds."""
    return " AND ".join(_quoted(term) + ("*" if len(term) >= MIN_PREFIX else "") for term in terms)


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def unindex(connection: Connection, dialogs: str, params: dict[str, object]) -> None:
    """Takes the messages of the dialogs `dialogs` (a condition on `m.dialog_id`) out of the index."""
    run_sql(
        connection,
        f"INSERT INTO {KEYWORD_INDEX} ({KEYWORD_INDEX}, rowid, words)"
        f" SELECT 'delete', m.id, {FOLDED} FROM messages m WHERE {dialogs}",
        params,
    )


def index(connection: Connection, dialogs: str, params: dict[str, object]) -> None:
    """Puts the messages of the dialogs `dialogs` (a condition on `m.dialog_id`) into the index."""
    run_sql(
        connection,
        f"INSERT INTO {KEYWORD_INDEX} (rowid, words) SELECT m.id, {FOLDED} FROM messages m WHERE {dialogs}",
        params,
    )


def is_keyword_index(table_name: str) -> bool:
    """The FTS5 table and its shadow tables, which the models do not describe."""
    return table_name.startswith(KEYWORD_INDEX)

"""The words of the conversations on SQLite: an FTS5 index of the messages (`messages_fts`, made by migration
0017) and the statements that read and keep it.

The index is contentless (`content=''`): it holds the words of each message's text folded ё→е (FTS5's
unicode61 tokenizer folds case, Cyrillic too, but leaves ё apart from е), which no table stores. A message
is taken out of it with the 'delete' command and the very words it was indexed with, the same fold of the
same stored text (`FOLDED`), before the message itself is deleted.

A word typed is the start of the words it finds. FTS5 answers a prefix (`"дорог"*`) by merging the whole
lists of every word that starts so before it can answer anything: a list of ~3,000 messages took ~0.4 ms
each time a dialog is tested against it, and a common word's 55,000, 20 ms to find a page. The words the
index holds are therefore kept in a table of their own too (`messages_fts_terms`), and a prefix is asked as
those words (`"дорого" OR "дороговато"`), which FTS5 reads a step at a time and seeks in; only a prefix of
more than `MAX_EXPANDED` words is left to FTS5's own merge.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import Connection

from db.engine import run_sql

KEYWORD_INDEX = "messages_fts"
TERMS = "messages_fts_terms"  # every word the index holds (or held): what a prefix stands for
MAX_EXPANDED = 64  # words a prefix is asked as, at most
MERGE_PAGES = 500  # pages of the index FTS5 may write merging its segments after each batch stored
_WORD = re.compile(r"[^\W_]+")  # what FTS5's unicode61 takes for a word: letters and digits
# the text as indexed: written out the same in migration 0017, which builds the index
FOLDED = "replace(replace(m.text, 'ё', 'е'), 'Ё', 'Е')"
MIN_PREFIX = 3  # shorter words are matched whole: a one-letter prefix would merge most of the index

# the messages that hold every word (`:q`, `match_query`), by id
MESSAGE_ID = "rowid"  # the id column of `MATCHING_MESSAGES`
MATCHING_MESSAGES = f"SELECT rowid FROM {KEYWORD_INDEX} WHERE {KEYWORD_INDEX} MATCH :q"
# the dialogs of the messages that hold every word, as a FROM clause and its condition on `d`: read before
# the dialogs (a CROSS JOIN keeps that order)
FOUND_DIALOGS = (
    f"(SELECT DISTINCT dialog_id FROM messages WHERE id IN ({MATCHING_MESSAGES})) x CROSS JOIN dialogs d",
    "d.id = x.dialog_id",
)
# a dialog `d` one of whose messages holds every word: the index read within the dialog's message ids alone
# (a transcript is stored in one go, its ids together), each match checked to be the dialog's
DIALOG_MATCHES = (
    f"EXISTS (SELECT 1 FROM {KEYWORD_INDEX} f JOIN messages k ON k.id = f.rowid"
    f" WHERE {KEYWORD_INDEX} MATCH :q"
    " AND f.rowid >= (SELECT min(id) FROM messages WHERE dialog_id = d.id)"
    " AND f.rowid <= (SELECT max(id) FROM messages WHERE dialog_id = d.id) AND k.dialog_id = d.id)"
)
# the first message of the dialog `:dialog` that holds every word: the index read within the dialog's ids
FIRST_MATCH = (
    "SELECT m.position, m.sender, m.author, m.text FROM messages m WHERE m.dialog_id = :dialog AND m.id = ("
    f"SELECT rowid FROM {KEYWORD_INDEX} WHERE {KEYWORD_INDEX} MATCH :q"
    " AND rowid >= (SELECT min(id) FROM messages WHERE dialog_id = :dialog)"
    " AND rowid <= (SELECT max(id) FROM messages WHERE dialog_id = :dialog) ORDER BY rowid LIMIT 1)"
)


def estimated_messages(connection: Connection, query: str) -> int | None:
    """None: FTS5 counts the matches up to a limit without reading further (`db.keywords._are_few`)."""
    return None


def match_query(connection: Connection, terms: list[str]) -> str:
    """An FTS5 query of messages holding every term, each as the start of a word (one shorter than
    `MIN_PREFIX` whole); every word a quoted string, whatever it holds."""
    return " AND ".join(_words_from(connection, term) for term in terms)


def _words_from(connection: Connection, term: str) -> str:
    """The words that start with `term`, ORed (the index's own prefix search when they are too many)."""
    if len(term) < MIN_PREFIX:
        return _quoted(term)
    found = [
        row[0]
        for row in run_sql(
            connection,
            f"SELECT term FROM {TERMS} WHERE term >= :low AND term < :high LIMIT {MAX_EXPANDED + 1}",
            {"low": term, "high": term + "\U0010ffff"},
        )
    ]
    if len(found) > MAX_EXPANDED:
        return _quoted(term) + "*"
    if not found:
        return _quoted(term)
    return "(" + " OR ".join(_quoted(word) for word in found) + ")"


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


def index(connection: Connection, dialogs: str, params: dict[str, object], texts: list[str]) -> None:
    """Puts the messages of the dialogs `dialogs` (a condition on `m.dialog_id`) into the index, and the
    words of their `texts` among the words it holds."""
    run_sql(
        connection,
        f"INSERT INTO {KEYWORD_INDEX} (rowid, words) SELECT m.id, {FOLDED} FROM messages m WHERE {dialogs}",
        params,
    )
    # FTS5 merges its segments a part at a time as rows come, leaving merges half done; a query reads
    # every segment, so each finished here (a few ms, nothing when none is pending): a dialog tested
    # against a word took 26 µs instead of 67 µs at 100,000 dialogs
    run_sql(
        connection,
        f"INSERT INTO {KEYWORD_INDEX} ({KEYWORD_INDEX}, rank) VALUES ('merge', {MERGE_PAGES})",
    )
    words = sorted({word for text in texts for word in _WORD.findall(fold(text))})
    if words:
        run_sql(
            connection,
            f"INSERT INTO {TERMS} (term) SELECT value FROM json_each(:words) WHERE true"
            " ON CONFLICT (term) DO NOTHING",
            {"words": json.dumps(words, ensure_ascii=False)},
        )


def fold(text: str) -> str:
    """As FTS5 holds a text's words: lower case (unicode61 folds it), ё as е (`FOLDED`)."""
    return text.lower().replace("ё", "е")


def is_keyword_index(table_name: str) -> bool:
    """The FTS5 table and its shadow tables, which the models do not describe."""
    return table_name.startswith(KEYWORD_INDEX)

"""Keyword search inside conversations (issue 16, point 4): the dialogs one of whose messages holds every
word typed, each word as the start of a word («дорог» finds «дорого» and «дороговато»; a word of one or two
letters whole), in any case, ё = е, within the filters of a list view.

The words are indexed per message (SQLite: `db.sqlite.keywords`, PostgreSQL: `db.postgres.keywords`) and
kept in step where transcripts are stored (`db.importer`, through `unindex_transcripts` and
`index_transcripts`). A page is newest first (completion time, then id), found in one of two ways chosen by
how many messages hold the words (counted up to `FEW_MESSAGES`, cheaply, in the index; on PostgreSQL, whose
index answers a count only after listing every message holding the words, a single word that the index's
statistics put in more is many uncounted):
- few: their dialogs fetched, filtered and sorted, and counted exactly;
- many: the dialogs walked newest first through the time index (with the filters), each asked of the index
  for a message of its own holding the words, until a page is full; the total is «more than
  `COUNT_LIMIT`» (counting every dialog of a common word would read most of the archive), told from the
  dialogs of the first `SAMPLED` matching messages, or counted up to there walking the dialogs (at once
  for a word in a message for every `DENSE` dialogs, on PostgreSQL).
A page after the first starts after (or ends before) the dialog its button carries, as the list's keyset.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

from sqlalchemy import Connection

from db.counters import dialog_total
from db.dialect import is_postgres
from db.dialogs import DialogRow, Filters, dialog_row
from db.engine import run_sql
from db.postgres import keywords as postgres_keywords
from db.reviews import LOW, LOW_MARK, UNMARKED
from db.sqlite import keywords as sqlite_keywords
from db.sqlite.pages import filter_conditions, row_columns
from db.views import StoredView

# up to this many matching messages, their dialogs are fetched, sorted and counted (~2–4 µs a message);
# beyond, walking the dialogs newest first finds a page sooner (~25 µs a dialog tested, and the more
# messages match, the fewer dialogs to test: ~11 × dialogs / matches). The two cross near 10,000 at 1M
# dialogs, at ~30 ms: benchmarks/README.md
FEW_MESSAGES = 10_000
COUNT_LIMIT = 100  # a common word's dialogs are counted up to this many: «more than 100»
SAMPLED = 2_000  # the messages holding a common word whose dialogs are counted first
# a word in a message for every this many dialogs has its dialogs counted walking them (PostgreSQL: a word in
# 1 % of 15M messages, 58 ms, where sampling its messages took 360, its index's list of them lossy)
DENSE = 10
MAX_TERMS = 8  # words of one search; more are left out
MAX_WORDS_LENGTH = 100  # characters of the words stored and shown
_WORD = re.compile(r"[^\W_]+")  # letters and digits: what the indexes take for a word


def fold_words(text: str) -> str:
    """Text as the indexes compare it: lower case, ё as е."""
    return sqlite_keywords.fold(text)


def keyword_terms(text: str) -> list[str]:
    """The words of a typed search as the indexes hold them (each once, at most `MAX_TERMS`); none when
    it holds no letter or digit. Anything else typed is a separator, never query syntax."""
    terms: list[str] = []
    for word in _WORD.findall(fold_words(text)):
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def words_text_of(typed: str) -> str:
    """The words as stored and shown: the terms, space-separated (so that two spellings of one search are
    one stored search), bounded."""
    return " ".join(keyword_terms(typed))[:MAX_WORDS_LENGTH].strip()


@dataclass(frozen=True, slots=True)
class KeywordHit:
    """A dialog found, and its first message that holds the words."""

    dialog: DialogRow
    position: int  # the message's place in the transcript, from 1
    sender: str  # client | employee | bot
    author: str | None
    text: str


@dataclass(frozen=True, slots=True)
class KeywordRows:
    hits: list[KeywordHit]
    has_previous: bool
    has_next: bool
    total: KeywordTotal | None = None  # the first page of few matches counts them all as it sorts them


@dataclass(frozen=True, slots=True)
class KeywordTotal:
    count: int
    capped: bool  # there are more than `count` (a common word, counted up to `COUNT_LIMIT`)


def keyword_sql(connection: Connection) -> ModuleType:
    """The statements of the engine's index of the messages' words (`db.sqlite.keywords`,
    `db.postgres.keywords`)."""
    return postgres_keywords if is_postgres(connection) else sqlite_keywords


_COLUMNS = f"SELECT {row_columns('d')}"


def _filter_condition(filters: Filters) -> tuple[str, dict[str, Any]]:
    """The list's filters as a condition on a `dialogs d` row ("1 = 1" for none)."""
    condition, params = filter_conditions(
        filters.bounds, filters.channel, filters.employee_id, indexed={"period", "channel"}, hints=False
    )
    conditions = [condition] if condition else []
    if filters.review == LOW:
        conditions.append(f"d.id IN (SELECT dialog_id FROM review_marks WHERE mark <= {LOW_MARK})")
    elif filters.review == UNMARKED:
        conditions.append("NOT EXISTS (SELECT 1 FROM review_marks r WHERE r.dialog_id = d.id)")
    return " AND ".join(conditions) or "1 = 1", params


def _estimated(connection: Connection, sql: ModuleType, query: str, terms: list[str]) -> int | None:
    """How many messages hold the word by the index's statistics, where they tell (PostgreSQL, one word:
    two words are estimated as if they were met together by chance, which words said together are not);
    None where they do not."""
    return sql.estimated_messages(connection, query) if len(terms) == 1 else None


def _are_few(connection: Connection, sql: ModuleType, query: str, estimate: int | None) -> bool:
    """Whether at most `FEW_MESSAGES` messages hold the words: the index read that far, no further; a word
    estimated to be in more is many without reading (`db.postgres.keywords.estimated_messages`). Near the
    line the estimate may err either way (by a quarter at 1M): a page is then walked that could have been
    fetched, as fast, and the total is «more than 100» where it could have been told exactly."""
    if estimate is not None and estimate > FEW_MESSAGES:
        return False
    counted = f"SELECT count(*) FROM ({sql.MATCHING_MESSAGES} LIMIT {FEW_MESSAGES + 1}) found"
    (count,) = run_sql(connection, counted, {"q": query}).fetchone()
    return int(count) <= FEW_MESSAGES


def _source(sql: ModuleType, few: bool, condition: str) -> tuple[str, str]:
    """The FROM clause and the condition of the found dialogs: few, the dialogs of the matching messages,
    those read first (`FOUND_DIALOGS`); many, every dialog, each asked of the index."""
    if few:
        source, found = sql.FOUND_DIALOGS
        return source, f"{found} AND {condition}"
    return "dialogs d", f"{condition} AND {sql.DIALOG_MATCHES}"


def find_page(
    connection: Connection,
    terms: list[str],
    filters: Filters,
    size: int,
    *,
    after: int = 0,
    before: int = 0,
) -> KeywordRows:
    """A page of the dialogs holding the words, newest first: the first (`after` and `before` 0), the one
    after the dialog `after`, or the one before the dialog `before` (an anchor no longer there: the first)."""
    sql = keyword_sql(connection)
    query = sql.match_query(connection, terms)
    condition, params = _filter_condition(filters)
    params = {**params, "q": query, "limit": size + 1}
    anchor = after or before
    at = _completed_at(connection, anchor) if anchor else None
    forward = at is None or not before
    if at is not None:
        params.update(at=at, anchor=anchor)
        if forward:
            condition += " AND d.completed_at <= :at AND NOT (d.completed_at = :at AND d.id >= :anchor)"
        else:
            condition += " AND d.completed_at >= :at AND NOT (d.completed_at = :at AND d.id <= :anchor)"
    few = _are_few(connection, sql, query, _estimated(connection, sql, query, terms))
    source, where = _source(sql, few, condition)
    order = "DESC" if forward else "ASC"
    # few matches are all sorted for the page anyway: counted in the same pass (a window over them all)
    counted = few and at is None
    rows = list(
        run_sql(
            connection,
            f"{_COLUMNS}{', count(*) OVER ()' if counted else ''}"
            f" FROM {source} LEFT JOIN employees e ON e.id = d.employee_id WHERE {where}"
            f" ORDER BY d.completed_at {order}, d.id {order} LIMIT :limit",
            params,
        )
    )
    found = [dialog_row(row) for row in rows[:size]]
    more = len(rows) > size
    if not forward:
        found.reverse()
    hits = [_hit(connection, sql, query, dialog) for dialog in found]
    if at is None:
        total = KeywordTotal(int(rows[0][-1]) if rows else 0, capped=False) if counted else None
        return KeywordRows(hits, has_previous=False, has_next=more, total=total)
    return KeywordRows(hits, has_previous=True, has_next=more) if forward else KeywordRows(hits, more, True)


def count_dialogs(connection: Connection, terms: list[str], filters: Filters) -> KeywordTotal:
    """How many dialogs hold the words: exactly when few messages do; else more than `COUNT_LIMIT` when
    the dialogs of the first `SAMPLED` messages that hold them are more already (the usual case: read in
    one go), else counted up to `COUNT_LIMIT` walking the dialogs (a narrow filter)."""
    sql = keyword_sql(connection)
    query = sql.match_query(connection, terms)
    condition, params = _filter_condition(filters)
    params = {**params, "q": query}
    estimate = _estimated(connection, sql, query, terms)
    few = _are_few(connection, sql, query, estimate)
    # a word in a message for every `DENSE` dialogs or more is in a hundred of the first thousand or so
    # dialogs walked: sampling its messages would list them all first (above)
    dense = estimate is not None and estimate * DENSE >= dialog_total(connection)
    if not few and not dense:
        sampled = (
            "SELECT count(*) FROM (SELECT DISTINCT m.dialog_id"
            f" FROM ({sql.MATCHING_MESSAGES} LIMIT {SAMPLED}) x CROSS JOIN messages m CROSS JOIN dialogs d"
            f" WHERE m.id = x.{sql.MESSAGE_ID} AND d.id = m.dialog_id AND {condition}) found"
        )
        (count,) = run_sql(connection, sampled, params).fetchone()
        if int(count) > COUNT_LIMIT:
            return KeywordTotal(COUNT_LIMIT, capped=True)
    source, where = _source(sql, few, condition)
    limit = "" if few else f" LIMIT {COUNT_LIMIT + 1}"
    counted = f"SELECT count(*) FROM (SELECT d.id FROM {source} WHERE {where}{limit}) found"
    (count,) = run_sql(connection, counted, params).fetchone()
    if int(count) > COUNT_LIMIT and not few:
        return KeywordTotal(COUNT_LIMIT, capped=True)
    return KeywordTotal(int(count), capped=False)


def _completed_at(connection: Connection, dialog_id: int) -> Any:
    row = run_sql(connection, "SELECT completed_at FROM dialogs WHERE id = :id", {"id": dialog_id}).fetchone()
    return row[0] if row is not None else None


def _hit(connection: Connection, sql: ModuleType, query: str, dialog: DialogRow) -> KeywordHit:
    """The dialog with its first message holding the words."""
    row = run_sql(connection, sql.FIRST_MATCH, {"dialog": dialog.id, "q": query}).fetchone()
    if row is None:  # found a moment ago in the same transaction: cannot be; shown without a line
        return KeywordHit(dialog, 1, "bot", None, "")
    return KeywordHit(dialog, int(row[0]), row[1], row[2], row[3])


# --- keeping the index in step with the transcripts -------------------------------------------------


def unindex_transcripts(connection: Connection, dialog_ids: list[int]) -> None:
    """Before the messages of these dialogs are deleted: their words out of the index (SQLite's is kept
    by hand; PostgreSQL's by itself)."""
    keyword_sql(connection).unindex(connection, *_dialogs_in(connection, dialog_ids))


def index_transcripts(connection: Connection, dialog_ids: list[int], texts: list[str]) -> None:
    """After the messages of these dialogs (whose `texts` they are) are stored: their words into the
    index."""
    keyword_sql(connection).index(connection, *_dialogs_in(connection, dialog_ids), texts)


def _dialogs_in(connection: Connection, dialog_ids: list[int]) -> tuple[str, dict[str, object]]:
    if is_postgres(connection):
        return "m.dialog_id = ANY(:ids)", {"ids": list(dialog_ids)}
    return "m.dialog_id IN (SELECT value FROM json_each(:ids))", {"ids": json.dumps(list(dialog_ids))}


# --- stored searches: the words travel in a button as the id of their row -------------------------------


@dataclass(frozen=True, slots=True)
class StoredKeywords:
    id: int
    words: str  # `words_text_of` the words typed
    view_id: int  # the list view whose filters the search is within; 0: the whole archive


def store_keywords(connection: Connection, words: str, view_id: int) -> int:
    """Stores a search of `words` within the view `view_id` (once however often it is made); its id."""
    (search_id,) = run_sql(
        connection,
        "INSERT INTO keyword_searches (words, view_id, created_at) VALUES (:words, :view_id, :now)"
        " ON CONFLICT (words, view_id) DO UPDATE SET created_at = excluded.created_at RETURNING id",
        {"words": words, "view_id": view_id, "now": datetime.now(UTC).replace(tzinfo=None)},
    ).fetchone()
    return int(search_id)


def load_keywords(connection: Connection, search_id: int) -> StoredKeywords | None:
    """A stored search by its id; None when there is none (a forged button)."""
    row = run_sql(
        connection, "SELECT id, words, view_id FROM keyword_searches WHERE id = :id", {"id": search_id}
    ).fetchone()
    return StoredKeywords(int(row[0]), row[1], int(row[2])) if row is not None else None


@dataclass(frozen=True, slots=True)
class KeywordResult:
    """A page of a keyword search as the person sees it, and what it was within."""

    search: StoredKeywords
    within: StoredView | None  # the list view whose filters the search is within; None: the whole archive
    rows: KeywordRows
    total: KeywordTotal
    page_number: int  # from 1
    today: date  # the local day relative periods ("7 days") were seen on


def read_results(
    connection: Connection,
    search: StoredKeywords,
    within: StoredView | None,
    filters: Filters,
    size: int,
    *,
    after: int = 0,
    before: int = 0,
    page: int = 1,
    today: date,
) -> KeywordResult:
    """The page asked for (`find_page`) with the search's total (`count_dialogs`), in one transaction."""
    terms = keyword_terms(search.words)
    rows = find_page(connection, terms, filters, size, after=after, before=before)
    number = max(1, page) if rows.has_previous else 1
    total = rows.total if rows.total is not None else count_dialogs(connection, terms, filters)
    return KeywordResult(search, within, rows, total, number, today)

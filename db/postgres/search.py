"""The name and phone indexes on PostgreSQL and the statements that read them.

As on SQLite (`db.sqlite.search`), names and phones are searched in the small tables of distinct names and
numbers, each match carrying its dialog count. The substring indexes are `pg_trgm` GIN indexes on the
folded names and on the numbers' digits (created by the migrations), which serve `LIKE '%…%'`; four or more
digits go through the numbers' four-digit grams (`client_phone_grams`), as on SQLite, read from their key
alone (it INCLUDEs what the search needs of each number). Typed text is bound as a parameter, its `LIKE`
wildcards escaped, never spliced into SQL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection

from db import search_sql
from db.engine import run_sql
from db.postgres.connection import is_asyncpg
from db.search import DIGIT_GRAM, Found, Matches, Search, SearchKind
from db.search_sql import ends_with_digits, part_condition
from db.sqlite.pages import page_statement

SEARCH_INDEX_PREFIX = "ix_trgm_"  # the trigram indexes of migration 0013


def find_matches(connection: Connection, search: Search, limit: int) -> Found:
    """How many dialogs the search finds, and the matching names or phones when those dialogs number at
    most `limit` (as `db.sqlite.search.find_matches`). One statement over all the matches: the trigram
    index reads them all at once (a bitmap), where SQLite's first pass stops after `limit` + 1 and a
    second counts the rest. «ова» (9,163 names): 8 ms instead of 9 + 8 in two statements. The lists
    travel only when they are kept: decoding 9,163 ids and times took the bot longer than the count."""
    counting, params = _counting((search,))
    (found,) = _found_in(run_sql(connection, counting, {**params, "limit": limit}).fetchone(), 1)
    return found


def find_part_matches(
    connection: Connection, parts: tuple[Search, Search], limit: int
) -> tuple[Found, Found]:
    """`find_matches` of both parts of a search by four digits or more (`db.search.digit_parts`) in one
    statement: the numbers holding the digits are read once, each summed in the part it is of. Two
    statements read them twice, and their second round trip cost more than the reading
    (benchmarks/README.md)."""
    counting, params = _counting(parts)
    ending, inside = _found_in(run_sql(connection, counting, {**params, "limit": limit}).fetchone(), 2)
    return ending, inside


def counted_along(
    connection: Connection,
    statement: str,
    params: dict[str, Any],
    searches: tuple[Search, ...],
    limit: int,
    newest: int = 0,
) -> tuple[Any, tuple[Found, ...], list[Any] | None]:
    """Runs `statement` (one row: a read, or a write that returns one) with what `searches` find counted
    along it, as `find_matches` or `find_part_matches` count them: its row (its own columns first), what
    they found, and with `newest` the first `newest` of their dialogs, newest first (`_first_page`); None
    without, or where the statement read none (of a search by digits, a part of many; none found). One
    round trip where these took three: a search typed is stored so, its count and its first page read
    with it (`db.listing.read_list`). `statement` may read the count of one search as `counted`'s `total`
    (`db.views.storing`: a costly one is kept with the view)."""
    counting, counted = _counting(searches)
    named = _COUNTED_ONE if len(searches) == 1 else _COUNTED_PARTS
    # the page travels as an array of records, which asyncpg reads with their types and psycopg (the
    # command line's and the worker threads' driver, where a round trip is no tap's) as text
    newest = newest if is_asyncpg(connection) else 0
    first, first_params = _first_page(searches[0], newest) if newest else ("", {})
    read = f", ({first})" if first else ""
    along = (
        f"WITH counted ({named}) AS ({counting}), s AS ({statement})"
        f" SELECT s.*, counted.*{read} FROM s CROSS JOIN counted"
    )
    row = run_sql(connection, along, {**params, **counted, **first_params, "limit": limit}).fetchone()
    if not newest:
        return row, _found_in(row, len(searches)), None
    # NULL: none read (a search by digits whose part shown finds many), or none found (no page to read)
    return row, _found_in(row[:-1], len(searches)), row[-1]


# The columns of `_counting`'s row: of one search, and of the two parts of a search by digits
_COUNTED_ONE = "total, ids, lasts"
_COUNTED_PARTS = "ending, ending_ids, ending_lasts, inside, inside_ids, inside_lasts"


def _first_page(search: Search, count: int) -> tuple[str, dict[str, Any]]:
    """The first `count` dialogs, newest first, of what `counted` found (of a search by digits, of the part
    the list shows first: the numbers ending with them, if any), as `db.dialogs.fetch_page` reads them: an
    array of rows of `db.sqlite.pages.ROW_COLUMNS`, NULL when none were read.

    When few (`:limit`), only the dialogs of the names or numbers whose own newest dialog is no older than
    the `count`-th newest of those are read (`Matches.newest`; and of any without a time, which it
    answers by reading all: none of them holds a dialog). When many, the newest dialogs are walked, each
    tested for the search (`dense_filter`), as the list's walk reads them; PostgreSQL runs only the branch
    of the CASE the count chose (a common word: 0.4 ms and a round trip less at 1M). A search by digits
    of many reads nothing here: its parts are paged apart (`db.digit_parts`)."""
    if search.part is None:
        ids, lasts = "(SELECT ids FROM counted)", "(SELECT lasts FROM counted)"
    else:
        ids, lasts = (
            f"(SELECT CASE WHEN ending > 0 THEN ending_{column} ELSE inside_{column} END FROM counted)"
            for column in ("ids", "lasts")
        )
    # the times are text (`_summed`), compared byte by byte: in time order whatever the database's
    # collation
    threshold = (
        f"(SELECT n.last FROM unnest({lasts}) AS n(last) WHERE n.last IS NOT NULL"
        f' ORDER BY n.last COLLATE "C" DESC OFFSET {count - 1} LIMIT 1)'
    )
    newest = (
        f"ARRAY(SELECT m.id FROM unnest({ids}, {lasts}) AS m(id, last)"
        f""" WHERE m.last IS NULL OR m.last COLLATE "C" >= COALESCE({threshold}, ''))"""
    )
    column = "name_id" if search.kind is SearchKind.NAME else "phone_id"
    few = _newest_rows("sparse", f"d.{column} = ANY({newest})", count)
    if search.part is not None:
        return few, {}
    condition, params = dense_filter(search, "completed_at")
    many = _newest_rows("dense", condition, count)
    return f"SELECT CASE WHEN (SELECT total FROM counted) <= :limit THEN ({few}) ELSE ({many}) END", params


def _newest_rows(kind: str, condition: str, count: int) -> str:
    """The first `count` dialogs of `condition` newest first, as a page of that `kind` reads them, in one
    array."""
    page = page_statement("completed_at", True, kind, condition, False, hints=False, limit=count)
    return f"SELECT array_agg(page ORDER BY page.completed_at DESC, page.id DESC) FROM ({page}) page"


def _found_in(row: Sequence[Any], searches: int) -> tuple[Found, ...]:
    """What a statement of `_counting` `searches` searches (one, or a search's two parts) found: the
    row's last columns."""
    counted = row[len(row) - 3 * searches :]
    return tuple(_found(counted[i : i + 3]) for i in range(0, 3 * searches, 3))


def _counting(searches: tuple[Search, ...]) -> tuple[str, dict[str, Any]]:
    """A statement counting the dialogs of one search's matches, or of the two parts of a search by four
    digits or more (`db.search.digit_parts`), the numbers that hold the digits read once for both."""
    if len(searches) == 1:
        sql, params = _matching(searches[0], "m.id, m.dialog_count, m.last_completed_at")
        return f"SELECT {_summed()} FROM ({sql} AND m.dialog_count > 0) found", params
    whole = replace(searches[0], part=None)
    sql, params = _matching(whole, "m.id, m.dialog_count, m.last_completed_at, m.e164")
    ending = ends_with_digits("e164")
    summed = f"{_summed(ending)}, {_summed(f'NOT {ending}')}"
    return f"SELECT {summed} FROM ({sql} AND m.dialog_count > 0) found", params


def _summed(among: str | None = None) -> str:
    """The dialogs of the matches (`found`; those for which `among` holds), and their ids and their newest
    dialogs' times when those dialogs are at most `:limit`."""
    only = f" FILTER (WHERE {among})" if among else ""
    total = f"COALESCE(SUM(dialog_count){only}, 0)"
    few = f"{total} <= :limit"
    # the times in the text SQLite stores them in (`db.sqlite.connection.STORED_TIME`), which sorts in time
    # order, so that `Matches.lasts` compare alike on both engines: made by the server (~150 for the last
    # four digits of a number: making them of asyncpg's datetimes took the bot 0.15 ms a search), and only
    # when they travel, inside the CASE: an aggregate's argument is computed for every match whatever the
    # CASE chooses (0.3 µs a time; 229,851 numbers for a search by three digits)
    lasts = (
        f"ARRAY(SELECT to_char(t.last, 'YYYY-MM-DD HH24:MI:SS.US')"
        f" FROM unnest(array_agg(last_completed_at){only}) WITH ORDINALITY AS t(last, n) ORDER BY t.n)"
    )
    return f"{total}, CASE WHEN {few} THEN array_agg(id){only} END, CASE WHEN {few} THEN {lasts} END"


def _found(row: Sequence[Any]) -> Found:
    """`find_matches`'s answer from a row of `_summed`."""
    total, ids, lasts = int(row[0]), row[1], row[2]
    if ids is None:
        return total, None if total else Matches([], 0, [])
    return total, Matches(list(ids), total, list(lasts))


def sparse_filter(search: Search, matches: Matches) -> tuple[str, dict[str, Any]]:
    """A condition on a `dialogs d` row that reaches the few matching dialogs through the name or phone
    index; the ids travel as one array (one statement whatever their number). One id (a whole number, a
    full name) is compared alone: the plan of the page PostgreSQL keeps for any values
    (`db.dialogs._planned_once`) is then made for one id, not for the ten it expects an array to hold."""
    column = "name_id" if search.kind is SearchKind.NAME else "phone_id"
    if len(matches.ids) == 1:
        return f"d.{column} = :id", {"id": matches.ids[0]}
    return f"d.{column} = ANY(:ids)", {"ids": list(matches.ids)}


def matching_filter(search: Search) -> tuple[str, dict[str, Any]]:
    """A condition on a `dialogs d` row that reaches the matching dialogs through the name or phone index,
    the matching names or phones found inside the statement: for counting many matches."""
    sql, params = _matching(search, "m.id")
    column = "name_id" if search.kind is SearchKind.NAME else "phone_id"
    return f"d.{column} IN ({sql})", params


def name_folds(search: Search) -> tuple[str, dict[str, Any]]:
    """SQL selecting the folded names that match a name search (`fold`) with their dialogs (`dialogs`)."""
    return _matching(search, "m.name_fold AS fold, m.dialog_count AS dialogs")


def dense_filter(search: Search, walked: str = "client_sort") -> tuple[str, dict[str, str]]:
    """`db.search_sql.dense_filter` in PostgreSQL's words."""
    return search_sql.dense_filter(search, walked, "strpos")


def _matching(search: Search, select: str) -> tuple[str, dict[str, Any]]:
    """SQL selecting `select` over the names or phones (`m`) that match the search."""
    if search.kind is SearchKind.PHONE:
        return f"SELECT {select} FROM client_phones m WHERE m.e164 = :e164", {"e164": search.terms[0]}
    if search.kind is SearchKind.DIGITS and len(search.terms[0]) >= DIGIT_GRAM:
        return search_sql.gram_matching(search, select, "strpos")
    if search.kind is SearchKind.DIGITS:  # the numbers' digits carry the trigram index (migration 0013)
        return (
            f"SELECT {select} FROM client_phones m"
            f" WHERE ltrim(m.e164, '+') LIKE :pattern{part_condition(search, 'm.e164')}",
            {"pattern": _containing(search.terms[0]), "digits": search.terms[0]},
        )
    if search.exact:
        return f"SELECT {select} FROM client_names m WHERE m.name_fold = :fold", {"fold": search.terms[0]}
    params: dict[str, Any] = {}
    conditions: list[str] = []
    for i, word in enumerate(search.terms):
        if _has_trigram(word):
            params[f"w{i}"] = _containing(word)
            conditions.append(f"m.name_fold LIKE :w{i}")
        else:
            params[f"w{i}"] = word
            conditions.append(f"strpos(m.name_fold, :w{i}) > 0")
    return f"SELECT {select} FROM client_names m WHERE {' AND '.join(conditions)}", params


def _has_trigram(word: str) -> bool:
    """Whether the trigram index can find the names holding `word`: it holds three letters or digits in a
    row. A shorter word («ан») gives `LIKE` no trigram, and the index would be read whole, every name
    rechecked: PostgreSQL's plan for any pattern, which it keeps for a statement after five searches,
    took 14 ms for it where reading the names took 6 (35,706 names). Such a word is tested on each name
    (`strpos`), which no plan reads the index for; a longer word of the same search still does."""
    return re.search(r"[^\W_]{3}", word) is not None


def _containing(term: str) -> str:
    """A LIKE pattern of the values that hold `term`, whatever it holds (its wildcards escaped)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def is_search_index(index_name: str) -> bool:
    """The trigram indexes, which the models do not describe."""
    return index_name.startswith(SEARCH_INDEX_PREFIX)

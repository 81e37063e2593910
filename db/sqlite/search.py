"""The name and phone indexes on SQLite and the statements that read them.

Names and phones are searched in the small tables of distinct names and numbers (`client_names`,
`client_phones`) through FTS5 trigram indexes (`client_names_fts`, `client_phones_fts`, created by the
migrations and kept in step by triggers); each match carries its dialog count, so the total is a sum, not a
count over the dialogs. Four or more digits go through the numbers' four-digit grams instead
(`client_phone_grams`): the numbers holding the last four typed, ~200 of 230,000, then checked for all of
them, is a third of the trigram index's work. Typed text is bound as a parameter or quoted as an FTS
phrase, never spliced into SQL.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from db import search_sql
from db.engine import run_sql
from db.search import DIGIT_GRAM, Found, Matches, Search, SearchKind
from db.search_sql import part_condition

TRIGRAM = 3  # FTS5's trigram tokenizer finds substrings of three characters or more
SEARCH_INDEXES = ("client_names_fts", "client_phones_fts")


def find_matches(connection: Connection, search: Search, limit: int) -> Found:
    """How many dialogs the search finds, and the matching names or phones when those dialogs number at
    most `limit`. One pass over the index sums their dialogs and lists them at once (the page reuses the
    list: the index is not searched twice); it reads at most `limit` + 1 of them (each has a dialog, so
    more are never few), and only a search matching more is counted in a second pass: one with thousands
    of names ("ова": 9,163) is not listed in full for nothing."""
    sql, params = _matching(search, "m.id, m.dialog_count, COALESCE(m.last_completed_at, '') AS last")
    counted = (
        "SELECT count(*), COALESCE(SUM(dialog_count), 0), group_concat(id), group_concat(last)"
        f" FROM ({sql} AND m.dialog_count > 0 LIMIT {max(limit, 0) + 1})"
    )
    found, total, ids, lasts = run_sql(connection, counted, params).fetchone()
    if found > limit:
        (total,) = run_sql(
            connection, _matching(search, "COALESCE(SUM(m.dialog_count), 0)")[0], params
        ).fetchone()
    if total > limit:
        return total, None
    if not ids:
        return 0, Matches([], 0, [])
    # the two lists come from the same rows in the same order; a time is never empty, nor holds a comma
    return total, Matches(
        [int(id_) for id_ in ids.split(",")], total, [last or None for last in lasts.split(",")]
    )


def find_part_matches(
    connection: Connection, parts: tuple[Search, Search], limit: int
) -> tuple[Found, Found]:
    """`find_matches` of each part of a search by four digits or more (`db.search.digit_parts`): in the
    bot's own process a second statement costs no round trip (one statement serves both on PostgreSQL)."""
    return find_matches(connection, parts[0], limit), find_matches(connection, parts[1], limit)


def sparse_filter(search: Search, matches: Matches) -> tuple[str, dict[str, Any]]:
    """A condition on a `dialogs d` row that reaches the few matching dialogs through the name or phone
    index. The ids travel as one JSON array: one statement whatever their number (an `IN (?, ?, …)` list
    would be a new statement, prepared anew, for every count of ids)."""
    column = "name_id" if search.kind is SearchKind.NAME else "phone_id"
    return f"d.{column} IN (SELECT value FROM json_each(:ids))", {"ids": json.dumps(matches.ids)}


def matching_filter(search: Search) -> tuple[str, dict[str, Any]]:
    """A condition on a `dialogs d` row that reaches the matching dialogs through the name or phone index,
    the matching names or phones found inside the statement: for counting many matches."""
    sql, params = _matching(search, "m.id")
    column = "name_id" if search.kind is SearchKind.NAME else "phone_id"
    return f"d.{column} IN ({sql})", params


def name_folds(search: Search) -> tuple[str, dict[str, Any]]:
    """SQL selecting the folded names that match a name search (`fold`) with their dialogs (`dialogs`): a
    named dialog's `client_sort` is its folded name, so these are the values its sort index holds for
    the matches."""
    return _matching(search, "m.name_fold AS fold, m.dialog_count AS dialogs")


def dense_filter(search: Search, walked: str = "client_sort") -> tuple[str, dict[str, str]]:
    """`db.search_sql.dense_filter` in SQLite's words."""
    return search_sql.dense_filter(search, walked, "instr")


def _matching(search: Search, select: str) -> tuple[str, dict[str, Any]]:
    """SQL selecting `select` over the names or phones (`m`) that match the search."""
    if search.kind is SearchKind.PHONE:
        return f"SELECT {select} FROM client_phones m WHERE m.e164 = :e164", {"e164": search.terms[0]}
    if search.kind is SearchKind.DIGITS and len(search.terms[0]) >= DIGIT_GRAM:
        return search_sql.gram_matching(search, select, "instr")
    if search.kind is SearchKind.DIGITS:
        return (
            f"SELECT {select} FROM client_phones_fts f JOIN client_phones m ON m.id = f.rowid"
            f" WHERE client_phones_fts MATCH :q{part_condition(search, 'm.e164')}",
            {"q": _phrase(search.terms[0]), "digits": search.terms[0]},
        )
    if search.exact:
        return _exact_name(search.terms[0], select)
    indexed = [word for word in search.terms if len(word) >= TRIGRAM]
    short = [word for word in search.terms if len(word) < TRIGRAM]
    params: dict[str, Any] = {f"s{i}": word for i, word in enumerate(short)}
    short_conditions = "".join(f" AND instr(m.name_fold, :{key}) > 0" for key in params)
    if not indexed:
        # one- and two-letter words only: too short for trigrams, so scan the table of distinct names
        return f"SELECT {select} FROM client_names m WHERE 1 = 1{short_conditions}", params
    params["q"] = " AND ".join(_phrase(word) for word in indexed)
    return (
        f"SELECT {select} FROM client_names_fts f JOIN client_names m ON m.id = f.rowid"
        f" WHERE client_names_fts MATCH :q{short_conditions}",
        params,
    )


def _exact_name(folded: str, select: str) -> tuple[str, dict[str, Any]]:
    """SQL selecting `select` over the names (`m`) whose folded form is `folded`, whole: through the
    trigram index (the names holding it), then compared; a name too short for trigrams scans the table of
    distinct names."""
    params: dict[str, Any] = {"fold": folded}
    if len(folded) < TRIGRAM:
        return f"SELECT {select} FROM client_names m WHERE m.name_fold = :fold", params
    params["q"] = _phrase(folded)
    return (
        f"SELECT {select} FROM client_names_fts f JOIN client_names m ON m.id = f.rowid"
        " WHERE client_names_fts MATCH :q AND m.name_fold = :fold",
        params,
    )


def _phrase(term: str) -> str:
    """An FTS5 string literal: whatever the term holds, it is matched as plain text."""
    return '"' + term.replace('"', '""') + '"'


def is_search_index(table_name: str) -> bool:
    """FTS5 tables and their shadow tables, which the models do not describe."""
    return table_name.startswith(SEARCH_INDEXES)

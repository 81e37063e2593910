"""The SQL that differs between the two engines, chosen by a connection's dialect: the rest of `db` asks
`sql_of(connection)` rather than importing `db.sqlite` or `db.postgres` itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from db.postgres import keywords as postgres_keywords
from db.postgres import search as postgres_search
from db.postgres import stats as postgres_stats
from db.search import Found, Matches, Search
from db.sqlite import keywords as sqlite_keywords
from db.sqlite import search as sqlite_search
from db.sqlite import stats as sqlite_stats

POSTGRESQL = "postgresql"

# PostgreSQL's commit waits until the write-ahead log holding it is on the disk (synchronous_commit): for a
# search typed, whose view is stored as it is read, 0.25-0.65 ms of the tap here (benchmarks/README.md, the
# disk's fdatasync alone 0.11 ms). A stored view is navigation, what the buttons of a list sent a moment ago
# mean, and its statement may let its own transaction commit without that wait (a setting local to the
# transaction, which ends with it): a crash of the server (not a stop) may then forget the views made in its
# last ~0.6 s (3 × wal_writer_delay), whose buttons open the whole list again with a notice, as a forged one
# does. Nothing durable is lost or points at a forgotten view: a commit that waits writes out every commit
# before it. SQLite's commits never wait (synchronous=NORMAL), and may forget the last ones after a power
# loss.
UNSYNCED = "set_config('synchronous_commit', 'off', true)"


@dataclass(frozen=True, slots=True)
class EngineSQL:
    hints: bool  # SQLite's index hints in the page statements (`db.sqlite.pages`)
    find_matches: Callable[[Connection, Search, int], Found]
    find_part_matches: Callable[[Connection, tuple[Search, Search], int], tuple[Found, Found]]
    sparse_filter: Callable[[Search, Matches], tuple[str, dict[str, Any]]]
    matching_filter: Callable[[Search], tuple[str, dict[str, Any]]]
    name_folds: Callable[[Search], tuple[str, dict[str, Any]]]
    dense_filter: Callable[[Search, str], tuple[str, dict[str, str]]]
    duration_seconds: Callable[[str, str], str]
    # a column a writing statement returns so that its transaction's commit does not wait for the disk:
    # for the writes of navigation alone (`db.views`), see `UNSYNCED`; "" where commits never wait
    unsynced: str
    # a statement run with what searches find counted along it, and their first page newest first: its
    # row, what they found, the page's rows (`db.postgres.search.counted_along`); None where a statement
    # more costs no round trip (SQLite's are run in the bot's own process)
    counted_along: (
        Callable[
            [Connection, str, dict[str, Any], tuple[Search, ...], int, int],
            tuple[Any, tuple[Found, ...], list[Any] | None],
        ]
        | None
    )


SQLITE = EngineSQL(
    True,
    sqlite_search.find_matches,
    sqlite_search.find_part_matches,
    sqlite_search.sparse_filter,
    sqlite_search.matching_filter,
    sqlite_search.name_folds,
    sqlite_search.dense_filter,
    sqlite_stats.duration_seconds,
    "",  # synchronous=NORMAL under WAL (`db.sqlite.connection.PRAGMAS`): no commit waits for the disk
    None,
)
POSTGRES = EngineSQL(
    False,
    postgres_search.find_matches,
    postgres_search.find_part_matches,
    postgres_search.sparse_filter,
    postgres_search.matching_filter,
    postgres_search.name_folds,
    postgres_search.dense_filter,
    postgres_stats.duration_seconds,
    UNSYNCED,
    postgres_search.counted_along,
)


def is_beyond_models(name: str, type_: str) -> bool:
    """Whether a schema object is one the migrations make for one engine and the models do not describe
    (SQLite's FTS5 tables, PostgreSQL's trigram and word indexes): left out when the schema is compared
    with them."""
    if type_ == "table":
        return sqlite_search.is_search_index(name) or sqlite_keywords.is_keyword_index(name)
    return type_ == "index" and (
        postgres_search.is_search_index(name) or postgres_keywords.is_keyword_index(name)
    )


def is_postgres(connection: Connection) -> bool:
    return connection.dialect.name == POSTGRESQL


def sql_of(connection: Connection) -> EngineSQL:
    return POSTGRES if is_postgres(connection) else SQLITE

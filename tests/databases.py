"""A real, migrated archive: what every test that needs one starts from. A SQLite file in the test's
folder, or, when `TEST_POSTGRES_URL` names a PostgreSQL server (`postgresql+asyncpg://USER@HOST/DB`, a
database there the user may create databases from), a fresh database on it: the whole suite runs on
either engine (README, "Tests").
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from functools import cache
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, text
from sqlalchemy.engine import URL, make_url

import db.postgres.connection
import db.sqlite.connection
from db.dialogs import DialogQuery, Filters, fetch_page
from db.engine import Database, run_sql
from db.migrate import upgrade
from db.search import Search

POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_URL", "")
_TEMPLATE = "dialogs_test_template"  # migrated once a run; every test's database is a copy of it
_numbers = itertools.count(1)
# the databases of this run by the folder of the test that made each, dropped at its end
_made: dict[Path, str] = {}


def on_postgres() -> bool:
    return bool(POSTGRES_SERVER)


def fresh_database_url(folder: Path) -> str:
    """The URL of the archive of a test's folder: a SQLite file there, or on PostgreSQL a database of its
    own, made migrated (a copy of a migrated template, ~30 ms against ~1 s for migrating) the first time
    the folder asks, and the same one after (a bot restarted on the archive an earlier one left)."""
    if not on_postgres():
        return f"sqlite+aiosqlite:///{folder / 'dialogs.db'}"
    return _made.get(folder) or _new_database(folder, f'TEMPLATE "{_template_ready()}"')


def empty_postgres_database(folder: Path, options: str) -> str:
    """The URL of a new, empty database on the test server, made with `options` (`LC_CTYPE 'C'`, …)."""
    return _new_database(folder, f"{options} TEMPLATE template0")


def _new_database(folder: Path, clauses: str) -> str:
    """A new database on the test server, made with `clauses`, kept as `folder`'s and dropped at the end."""
    name = f"dialogs_test_{os.getpid()}_{next(_numbers)}"
    _server_command(f'CREATE DATABASE "{name}" {clauses}')
    url = _made[folder] = _server_url().set(database=name).render_as_string(hide_password=False)
    return url


def query_archive(url: str, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """The rows of one statement (or what it changed: []) on the archive at `url`, on either engine, in
    a transaction of its own: what a test reads or breaks behind the bot's back."""
    database = Database(url)
    try:
        return database.run(_rows, sql, params or {})
    finally:
        database.sync_engine.dispose()


class WritesHeld:
    """Another writer holding the archive, as a long import does, until `release`: SQLite's write lock,
    or on PostgreSQL the `tables` locked against every change (PostgreSQL has no lock on the whole)."""

    def __init__(self, url: str, tables: str = "dialogs") -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "postgresql":
            self._connection: Any = psycopg.connect(_libpq(parsed), autocommit=True)
            self._connection.execute("BEGIN")
            self._connection.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE".encode())
        else:
            self._connection = sqlite3.connect(str(parsed.database), isolation_level=None)
            self._connection.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self._connection.execute("ROLLBACK")
        self._connection.close()


def _rows(connection: Connection, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    result = connection.execute(text(sql), params)
    return [tuple(row) for row in result] if result.returns_rows else []


def migrated_database(folder: Path) -> Database:
    database = Database(fresh_database_url(folder))
    upgrade(database)
    return database


def drop_test_databases() -> None:
    """Drops the databases this run made (its connections, if any are left, are cut)."""
    names = [str(make_url(url).database) for url in _made.values()]
    for name in [*names, *([_template_ready()] if _template_ready.cache_info().currsize else [])]:
        _server_command(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _made.clear()


def _server_url() -> URL:
    return make_url(POSTGRES_SERVER)


def _server_command(sql: str) -> None:
    """One statement on the server's own database, outside a transaction (CREATE DATABASE)."""
    url = _server_url()
    with psycopg.connect(_libpq(url), autocommit=True) as connection:
        connection.execute(sql.encode())


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@cache
def _template_ready() -> str:
    """The template database, made and migrated anew at the first test of a run (a copy needs a template
    nobody is connected to: its engine is disposed at once)."""
    name = f"{_TEMPLATE}_{os.getpid()}"
    _server_command(f'DROP DATABASE IF EXISTS "{name}"')
    _server_command(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    template = Database(_server_url().set(database=name).render_as_string(hide_password=False))
    upgrade(template)
    template.sync_engine.dispose()
    return name


def total_of(database: Database, search: Search | None = None, filters: Filters | None = None) -> int:
    """How many dialogs the list finds for a search and filters: the total its first page shows."""
    query = DialogQuery(search=search, filters=filters or Filters())
    return database.run(fetch_page, query).total


def statements_sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements the bot's taps send from now on (`Database.read` and `write`, on either engine), as
    the drivers are handed them: the list fills as they are sent."""
    sent: list[str] = []
    for driver in (db.postgres.connection, db.sqlite.connection):
        execute = driver.execute

        def spied(connection: Connection, sql: str, params: Any, execute: Any = execute) -> Any:
            sent.append(sql)
            return execute(connection, sql, params)

        monkeypatch.setattr(driver, "execute", spied)
    return sent


def prepared_plans(connection: Connection, like: str) -> list[tuple[str, int, int]]:
    """The connection's prepared statements whose SQL is `like` this, with how many plans for any values
    PostgreSQL made of each, and how many parameters each takes."""
    sql = (
        "SELECT statement, generic_plans, cardinality(parameter_types) FROM pg_prepared_statements"
        " WHERE statement LIKE :like"
    )
    return [
        (statement, generic, parameters)
        for statement, generic, parameters in run_sql(connection, sql, {"like": like})
    ]


def plan_for_any_values(connection: Connection, statement: str, parameters: int) -> str:
    """The plan PostgreSQL keeps for a prepared `statement` (as `pg_prepared_statements` shows it, with
    `parameters` parameters) for any values, once it plans it no more for each: made on psycopg's
    connection, by SQL's own PREPARE, which takes the statement's `$1` as they are."""
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    driver.execute(b"SET plan_cache_mode = force_generic_plan")
    driver.execute(f"PREPARE probe AS {statement}".encode())
    values = f"({', '.join(['NULL'] * parameters)})" if parameters else ""
    plan = "\n".join(line for (line,) in driver.execute(f"EXPLAIN EXECUTE probe{values}".encode()))
    driver.execute(b"DEALLOCATE probe")
    driver.execute(b"RESET plan_cache_mode")
    return plan

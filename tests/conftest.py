"""Shared fixtures: a real, migrated SQLite file per test (or per module), never a mock; and for the
bot's end-to-end tests, the archive of `tests.bot_harness.DATASET` with the bot polling the emulator."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from bot.cli import main
from bot.settings import Settings
from db.dialect import is_beyond_models
from db.engine import Database, release_loop_connections
from db.models import Base
from emulator import BotAPIEmulator
from tests.bot_harness import database_url, make_settings, running_bot, seeded_archive
from tests.databases import drop_test_databases, fresh_database_url, migrated_database, on_postgres


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On PostgreSQL, the tests of what SQLite alone has (its query plans, its file and write-ahead log,
    its locking) are skipped: each says why in its `sqlite_only` mark."""
    if not on_postgres():
        return
    for item in items:
        mark = item.get_closest_marker("sqlite_only")
        if mark is not None:
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {mark.args[0]}"))


@pytest.fixture(autouse=True)
async def connections_closed_with_their_loop() -> AsyncIterator[None]:
    """Each test runs in an event loop of its own, and a PostgreSQL connection belongs to its loop: those
    a test opened are closed before its loop ends."""
    yield
    await release_loop_connections()


def pytest_sessionfinish() -> None:
    drop_test_databases()


@pytest.fixture(autouse=True)
def logging_as_it_was() -> Iterator[None]:
    """`dialogs-bot run` sets up logging for its process; in a test it would outlive the command and make
    every later command's libraries (Alembic's INFO lines) write to stderr, which no real command does."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


# every setting the commands read from the environment
VARIABLES = (
    "BOT_TOKEN",
    "DATABASE_URL",
    "ADMIN_IDS",
    "TELEGRAM_API_URL",
    "TIMEZONE",
    "PHONE_REGION",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "HTTP_HOST",
    "HTTP_PORT",
    "INGEST_MAX_BYTES",
    "MANAGER_SCOPE",
    "REVIEW_SAMPLE",
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (no .env) with the database in it and no settings from outside."""
    monkeypatch.chdir(tmp_path)
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", fresh_database_url(tmp_path))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """A `dialogs-bot` command as at a terminal: its exit code, what it printed and what it said on stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = migrated_database(tmp_path)
    yield database
    database.sync_engine.dispose()


def schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection,
        opts={
            "include_name": lambda name, type_, _parent: not is_beyond_models(name or "", type_),
            "compare_type": True,
        },
    )
    return list(compare_metadata(context, Base.metadata))


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Database]:
    """The archive of the bot tests (`seeded_archive`), of its own for each test: for tests that change
    it (who may use the bot, their choices)."""
    database = seeded_archive(tmp_path)
    yield database
    database.sync_engine.dispose()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One archive per module of bot tests: they read it (openings and exports add audit rows, searches
    and filters add stored views, which no test counts across modules)."""
    database = seeded_archive(tmp_path_factory.mktemp("bot"))
    yield database
    database.sync_engine.dispose()


@pytest.fixture(scope="module")
def settings(archive: Database) -> Settings:
    return make_settings(database_url(archive))


@pytest.fixture
async def api(archive: Database, settings: Settings) -> AsyncIterator[BotAPIEmulator]:
    async with running_bot(archive, settings) as emulator:
        yield emulator

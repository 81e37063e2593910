"""The archive file as the operating system sees it: readable by its owner only, never damaged when another
file is put in its place, and errors that say what happened without the data they were about."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event
from sqlalchemy.exc import DBAPIError, OperationalError

from db.engine import Database, run_sql
from db.errors import ArchiveReplaced, ArchiveUnwritable
from db.migrate import upgrade
from db.users import Role, add_user, list_users
from tests.bot_harness import ADMIN_ID, database_url, make_settings, running_bot, say, seeded_archive
from tests.databases import migrated_database, query_archive


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.sqlite_only("the SQLite file itself")
def test_a_new_archive_and_its_log_are_its_owners_alone(tmp_path: Path) -> None:
    os.umask(0o022)  # the usual umask: files are world-readable unless made otherwise
    database = migrated_database(tmp_path)
    database.run(add_user, 42, Role.HEAD, "Ольга")
    files = [tmp_path / name for name in ("dialogs.db", "dialogs.db-wal", "dialogs.db-shm")]
    assert all(path.exists() for path in files)
    assert [mode(path) for path in files] == [0o600, 0o600, 0o600]
    database.sync_engine.dispose()


@pytest.mark.sqlite_only("the SQLite file itself")
def test_an_archive_open_to_others_is_closed_when_opened(tmp_path: Path) -> None:
    database = migrated_database(tmp_path)
    database.sync_engine.dispose()
    path = tmp_path / "dialogs.db"
    path.chmod(0o644)
    reopened = Database(f"sqlite+aiosqlite:///{path}")
    assert mode(path) == 0o600
    reopened.sync_engine.dispose()


@pytest.mark.sqlite_only("the SQLite file itself")
async def test_a_file_moved_over_the_archive_stops_the_checkpoints_and_is_left_whole(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    await asyncio.to_thread(migrated_database, tmp_path / "a")
    path = tmp_path / "a" / "dialogs.db"
    database = Database(f"sqlite+aiosqlite:///{path}", background_checkpoints=True)  # as the bot opens it
    other = await asyncio.to_thread(migrated_database, tmp_path / "b")
    other.run(add_user, 7, Role.ADMIN, "из другого архива")
    other.sync_engine.dispose()
    database.run(add_user, 42, Role.HEAD, "Ольга")  # the log holds what the file does not yet

    os.replace(tmp_path / "b" / "dialogs.db", path)  # mv other.db dialogs.db under the running bot
    with pytest.raises(ArchiveReplaced):
        await asyncio.wait_for(database.checkpoint_regularly(every=0.01), timeout=5)
    database.sync_engine.dispose()  # every connection of the old file is closed: a new one is refused
    with pytest.raises(ArchiveReplaced):
        database.run(list_users)
    await database.dispose()

    moved_in = Database(f"sqlite+aiosqlite:///{path}")  # the file put in place is as it was, and opens
    assert [user.telegram_id for user in moved_in.run(list_users)] == [7]
    moved_in.sync_engine.dispose()


@pytest.mark.sqlite_only("the SQLite file itself")
async def test_a_removed_archive_is_not_made_anew_under_the_running_bot(tmp_path: Path) -> None:
    await asyncio.to_thread(migrated_database, tmp_path)
    path = tmp_path / "dialogs.db"
    database = Database(f"sqlite+aiosqlite:///{path}", background_checkpoints=True)  # as the bot opens it
    database.run(add_user, 42, Role.HEAD, "Ольга")
    database.sync_engine.dispose()
    (tmp_path / "dialogs.db").unlink()
    with pytest.raises(ArchiveReplaced):
        await asyncio.wait_for(database.checkpoint_regularly(every=0.01), timeout=5)
    with pytest.raises(ArchiveReplaced):
        database.run(list_users)
    await database.dispose()
    made_anew = Database(f"sqlite+aiosqlite:///{path}")  # the next start makes an empty archive, whole
    await asyncio.to_thread(upgrade, made_anew)
    assert made_anew.run(list_users) == []
    made_anew.sync_engine.dispose()


@pytest.mark.sqlite_only("a full disk is SQLite's page limit")
async def test_a_full_disk_is_told_apart_from_a_busy_archive(tmp_path: Path) -> None:
    database = await asyncio.to_thread(migrated_database, tmp_path)

    def fill(connection: Connection) -> None:
        run_sql(connection, "PRAGMA max_page_count = 1")  # as if the disk had no room left
        # more than the pages the migrations left free (a table made anew frees the old one's) can hold
        run_sql(connection, "INSERT INTO counters (name, value) VALUES (:name, 1)", {"name": "x" * 200_000})

    with pytest.raises(ArchiveUnwritable):
        await database.write(fill)
    await database.dispose()


def test_errors_never_show_the_data_of_a_statement(tmp_path: Path) -> None:
    """A search text or a number in a failed statement's parameters would reach the logs with the error."""
    database = migrated_database(tmp_path)
    secret = "+79161234567 Семён"
    with pytest.raises(DBAPIError) as raised:
        database.run(run_sql, "SELECT * FROM no_such_table WHERE name = :name", {"name": secret})
    assert secret not in str(raised.value) and "+7916" not in str(raised.value)
    driver_sql = f"SELECT * FROM no_such_table WHERE x = {'%s' if database.postgres else '?'}"
    with pytest.raises(DBAPIError) as raised:
        database.run(lambda c: c.exec_driver_sql(driver_sql, (secret,)))
    assert secret not in str(raised.value)
    database.sync_engine.dispose()


@pytest.mark.sqlite_only("the SQLite file itself")
def test_a_new_archive_where_none_can_be_made_is_reported_by_its_command(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder" / "dialogs.db"
    database = Database(f"sqlite+aiosqlite:///{missing}")  # nothing created, nothing raised yet
    with pytest.raises(OperationalError):
        upgrade(database)
    assert not missing.parent.exists()
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.fixture
def read_only_archive(tmp_path: Path) -> Iterator[Database]:
    """The bots' archive, whose every write fails as on a read-only file (or a full disk): on PostgreSQL,
    a database whose transactions are all read-only (as on a standby server)."""
    database = seeded_archive(tmp_path)
    database.sync_engine.dispose()
    if database.postgres:
        query_archive(
            database_url(database),
            f'ALTER DATABASE "{database.url.database}" SET default_transaction_read_only = on',
        )
        yield database
        return

    def read_only(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only = 1")

    event.listen(database.sync_engine, "connect", read_only)
    yield database
    database.sync_engine.dispose()


async def test_an_archive_that_cannot_be_written_is_told_to_the_person_as_such_and_logged_as_an_error(
    read_only_archive: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A search is stored before it is shown; when the file takes no more writes (read-only, like a full
    disk: `test_a_full_disk_is_told_apart_from_a_busy_archive`), the person reads what happened and who can
    mend it (not «the archive is being updated», which sends them to wait for nothing), and whoever runs
    the bot finds an ERROR with the reason, without the search's text."""
    settings = make_settings(database_url(read_only_archive))
    async with running_bot(read_only_archive, settings) as api:
        reaction = await say(api.user(ADMIN_ID), "Семён")
    assert reaction.text == (
        "Архив сейчас не может сохранить изменения: на сервере закончилось место или файл недоступен."
        " Сообщите об этом администратору бота."
    )
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    reason = (  # on PostgreSQL the view is stored by a WITH that counts the search: its statement a SELECT
        "cannot execute SELECT in a read-only transaction"
        if read_only_archive.postgres
        else "attempt to write a readonly database"
    )
    assert [re.sub(r"\d+", "N", record.getMessage()) for record in errors] == [
        f"update N: the archive cannot be written: {reason}"
    ]
    assert "Семён" not in caplog.text and all(record.exc_info is None for record in errors)

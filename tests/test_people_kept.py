"""Who may use the bot, kept between updates on PostgreSQL (`Archive.person`, `db.postgres.changes`): a
role taken away, given or changed by another process is what the next update sees, on every replica, and
whatever goes wrong with the word of changes, the bot reads who a person is again rather than trust what it
kept. On a real server (PostgreSQL's own tests skip on SQLite, where nothing is kept); the bot's part runs
on both engines.
"""

from __future__ import annotations

import asyncio
import logging
import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection

from db.archive import Archive
from db.engine import Database
from db.listing import ListSettings
from db.postgres.changes import HEARTBEAT_SECONDS
from db.users import PEOPLE_CHANGES, Role, add_user, remove_user
from tests.bot_harness import (
    DATASET,
    HEAD_ID,
    MANAGER_ID,
    database_url,
    make_settings,
    parse_list,
    running_bot,
    say,
    tap,
)
from tests.databases import on_postgres, query_archive

on_postgres_only = pytest.mark.skipif(not on_postgres(), reason="SQLite reads a person at every update")

WAIT_SECONDS = 5.0


def archive_of(seeded: Database) -> tuple[Archive, Database]:
    """The archive as the bot reads it, on a database of its own (the bot's connections), with that."""
    database = Database(database_url(seeded))
    return Archive(database, ListSettings(ZoneInfo("Europe/Moscow"), "RU", 10)), database


async def told(database: Database, other_than: int | None = None) -> int:
    """The number of changes told, once the database tells them (and it is not `other_than`)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        number = database.changes_told(PEOPLE_CHANGES)
        if number is not None and number != other_than:
            return number
        await asyncio.sleep(0.01)
    raise AssertionError("the database told no change")


def changed_untold(database: Database, *statements: str) -> None:
    """Changes `bot_users` as no program of ours would: with the triggers off (a superuser's replication
    role), so that nothing is told and what the bot kept shows."""

    def change(connection: Connection) -> None:
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for sql in statements:
            connection.exec_driver_sql(sql)

    database.run(change)


@on_postgres_only
async def test_a_person_is_kept_while_told_and_read_again_once_changed(seeded: Database) -> None:
    archive, database = archive_of(seeded)
    before = await told(database)
    assert (await archive.person(HEAD_ID)).role is Role.HEAD

    changed_untold(seeded, f"UPDATE bot_users SET role = 'manager' WHERE telegram_id = {HEAD_ID}")
    assert (await archive.person(HEAD_ID)).role is Role.HEAD, "kept: not read again"

    await asyncio.to_thread(seeded.run, remove_user, HEAD_ID)  # as `dialogs-bot remove-user` does it
    await told(database, other_than=before)
    assert (await archive.person(HEAD_ID)).role is None

    await asyncio.to_thread(seeded.run, add_user, HEAD_ID, Role.HEAD, "Ольга")
    await told(database, other_than=database.changes_told(PEOPLE_CHANGES))
    assert (await archive.person(HEAD_ID)).role is Role.HEAD


@on_postgres_only
async def test_a_change_whose_notification_was_lost_is_found_within_a_heartbeat(seeded: Database) -> None:
    archive, database = archive_of(seeded)
    before = await told(database)
    assert (await archive.person(HEAD_ID)).role is Role.HEAD

    # the role taken away and counted, its notification lost (a pooler in transaction mode passes none on)
    changed_untold(
        seeded,
        f"DELETE FROM bot_users WHERE telegram_id = {HEAD_ID}",
        "UPDATE counters SET value = value + 1 WHERE name = 'dialogs_people'",
    )
    started = time.monotonic()
    await told(database, other_than=before)
    assert time.monotonic() - started < 2 * HEARTBEAT_SECONDS
    assert (await archive.person(HEAD_ID)).role is None


@on_postgres_only
async def test_without_word_of_changes_a_person_is_read_at_every_update(
    seeded: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="db.postgres.changes")
    archive, database = archive_of(seeded)
    await told(database)
    assert (await archive.person(MANAGER_ID)).role is Role.MANAGER

    # the connection that hears the changes is cut, as a server restart or a network would cut it
    cut = query_archive(
        database_url(seeded),
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name = 'dialogs-bot: told of changes' AND datname = current_database()",
    )
    assert cut == [(True,)]
    deadline = time.monotonic() + WAIT_SECONDS
    while database.changes_told(PEOPLE_CHANGES) is not None and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert database.changes_told(PEOPLE_CHANGES) is None

    changed_untold(seeded, f"UPDATE bot_users SET role = 'head' WHERE telegram_id = {MANAGER_ID}")
    assert (await archive.person(MANAGER_ID)).role is Role.HEAD, "read again, not kept"

    await told(database)  # heard again after a heartbeat's time, without an update to ask
    changed_untold(seeded, f"UPDATE bot_users SET role = 'manager' WHERE telegram_id = {MANAGER_ID}")
    assert (await archive.person(MANAGER_ID)).role is Role.MANAGER, "nothing kept from before the cut"
    # said once when it stopped, once when it was back
    said = [(record.levelname, record.getMessage()) for record in caplog.records]
    assert [level for level, _ in said] == ["WARNING", "INFO"], said
    assert said[0][1].startswith("not told of changes (") and said[1][1] == "told of changes again"


@on_postgres_only
async def test_a_language_chosen_shows_at_the_very_next_update(seeded: Database) -> None:
    archive, database = archive_of(seeded)
    await told(database)
    assert (await archive.person(HEAD_ID)).language is None
    await archive.seen_by(7).choose_language(HEAD_ID, "en")
    assert (await archive.person(HEAD_ID)).language == "en"


async def test_a_head_removed_while_the_bot_runs_is_refused_at_the_next_tap(seeded: Database) -> None:
    async with running_bot(seeded, make_settings(database_url(seeded))) as api:
        head = api.user(HEAD_ID)
        listing = (await say(head, "/dialogs")).message
        await asyncio.sleep(0.2)  # on PostgreSQL the bot now hears of changes, and keeps the head
        await tap(head, listing, "▶")
        assert parse_list(listing.content).found == len(DATASET)

        assert await asyncio.to_thread(seeded.run, remove_user, HEAD_ID)
        await tap(head, listing, "◀")
        assert head.callback_answers[-1].text == f"Доступ закрыт. Ваш Telegram ID: {HEAD_ID}"
        refused = (await say(head, "/dialogs")).message
        assert "Доступ к боту закрыт." in refused.content

        await asyncio.to_thread(seeded.run, add_user, HEAD_ID, Role.HEAD, "Ольга")
        again = (await say(head, "/dialogs")).message
        assert parse_list(again.content).found == len(DATASET)

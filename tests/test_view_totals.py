"""A search's total is counted once and kept with its stored view; an import makes it count again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, select, text

import db.dialogs
from db.counters import archive_revision
from db.dialogs import Filters
from db.engine import Database
from db.importer import store_records
from db.listing import ListRequest, ListSettings, ViewChange, read_and_keep
from db.models import ListView as ListViewRow
from db.records import DialogRecord
from db.text import fold
from db.views import ListView, find_view, remember_total, store_view, total_key
from tests.bot_harness import (
    ADMIN_ID,
    BASE,
    DATASET,
    ZONE,
    database_url,
    make_settings,
    parse_list,
    running_bot,
    seeded_archive,
)
from tests.databases import statements_sent, total_of


def kept_total(connection: Connection, typed: str) -> int | None:
    statement = select(ListViewRow.total).where(ListViewRow.search_text == typed)
    return connection.execute(statement).scalar_one()


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Database]:
    database = seeded_archive(tmp_path)
    yield database
    database.sync_engine.dispose()


async def test_a_kept_total_is_counted_again_after_an_import(
    archive: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # totals are kept when counting them was costly: many matches (here: more than five)
    monkeypatch.setattr(db.dialogs, "SPARSE_LIMIT", 5)
    with_916 = sum(1 for r in DATASET if r.client_phone and "916" in r.client_phone)
    async with running_bot(archive, make_settings(database_url(archive))) as api:
        user = api.user(ADMIN_ID)
        await user.send_text("916")
        message = (await user.wait_answer()).message
        assert parse_list(message.content).found == with_916
        assert archive.run(kept_total, "916") == with_916  # stored with the search, in the same write
        await user.press(message, "▶")
        await user.wait_answer()
        assert parse_list(message.content).found == with_916
        assert archive.run(kept_total, "916") == with_916

        newcomer = DialogRecord(
            source_id="crm-new",
            client_name="Новый Клиент",
            client_phone="+79169990000",
            channel="whatsapp",
            completed_by="Анна Смирнова",
            started_at=None,
            completed_at=BASE + timedelta(days=2),
            message_count=4,
            messages=None,
        )
        store_records(archive.sync_engine, [newcomer], zone=ZONE)
        await user.press(message, "⏮")
        await user.wait_answer()
        screen = parse_list(message.content)
        assert screen.found == with_916 + 1
        assert screen.entries[0].client == "Новый Клиент"  # the newest first


def test_a_filters_count_kept_in_memory_follows_an_import(archive: Database) -> None:
    whatsapp = Filters(channel="whatsapp")
    before = total_of(archive, None, whatsapp)
    assert before == sum(1 for r in DATASET if r.channel == "whatsapp")
    assert total_of(archive, None, whatsapp) == before  # now from memory
    newcomer = DialogRecord(
        source_id="crm-new-wa",
        client_name="Ещё Клиент",
        client_phone="+79169990001",
        channel="whatsapp",
        completed_by=None,
        started_at=None,
        completed_at=BASE + timedelta(days=2),
        message_count=2,
        messages=None,
    )
    store_records(archive.sync_engine, [newcomer], zone=ZONE)
    assert total_of(archive, None, whatsapp) == before + 1


def test_a_view_is_stored_once_and_keeps_the_total_counted_last(archive: Database) -> None:
    """A search typed twice is one stored view, and storing it again (the same search typed) leaves the
    total kept with it alone, and gives it back."""
    typed = ListView(search_text="иван")
    assert archive.run(find_view, typed) is None

    stored = archive.run(store_view, typed)
    assert stored.id and stored.total is None
    archive.run(remember_total, stored.id, 5000, "1:")
    again = archive.run(store_view, typed)
    assert (again.id, again.total, again.counted_for) == (stored.id, 5000, "1:")
    found = archive.run(find_view, typed)
    assert found is not None and (found.id, found.total, found.counted_for) == (stored.id, 5000, "1:")
    archive.run(remember_total, stored.id, 7000, "2:")
    assert archive.run(lambda c: kept_total(c, "иван")) == 7000


def commit_waits(connection: Connection) -> str:
    """Whether the transaction's commit will wait for the write-ahead log to reach the disk."""
    return str(connection.execute(text("SHOW synchronous_commit")).scalar_one())


async def test_a_view_is_stored_without_waiting_for_the_disk_and_nothing_else_is(archive: Database) -> None:
    """On PostgreSQL the statements that store a view or keep its total let their own transaction commit
    without waiting for the disk (a view is navigation: `db.dialect.UNSYNCED`), a search typed included;
    the transactions after them wait as every other write does."""
    if not archive.postgres:
        pytest.skip("SQLite's commits never wait for the disk (synchronous=NORMAL)")
    # the tests' server never waits (tests/with-servers); this database's sessions do, as a server's
    archive.run(
        lambda c: c.execute(
            text(
                "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = on',"
                " current_database()); END $$"
            )
        )
    )
    archive.sync_engine.dispose()
    await archive.release_loop()
    typed = ListView(search_text="иван")

    def stored_and_waits(connection: Connection) -> tuple[int, str]:
        return store_view(connection, typed).id, commit_waits(connection)

    def kept_and_waits(connection: Connection, view_id: int) -> str:
        remember_total(connection, view_id, 5000, "1:")
        return commit_waits(connection)

    view_id, waits = archive.run(stored_and_waits)
    assert waits == "off"
    assert archive.run(commit_waits) == "on"  # the same connection, the next transaction
    assert archive.run(kept_and_waits, view_id) == "off"
    assert archive.run(commit_waits) == "on"

    def searched_and_waits(connection: Connection) -> tuple[int, str]:
        settings = ListSettings(ZONE, "RU", 10)
        change = ViewChange(search_text="916")
        listed = read_and_keep(connection, ListRequest("completed_at", True), settings, change)
        assert listed.view is not None and listed.page.total
        return listed.view.id, commit_waits(connection)

    # the event loop's connection (asyncpg), where a search typed is one statement
    searched, waits = await archive.write(searched_and_waits)
    assert searched and waits == "off"
    assert await archive.write(commit_waits) == "on"


async def test_a_search_typed_is_stored_and_counted_by_one_statement(
    archive: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search typed is looked up among the stored views, and stored if it is new, by one statement,
    which on PostgreSQL also counts what the search finds and reads its first page (there each statement
    is a round trip to the server): the search is that statement. Typed again, it is the same view."""
    sent = statements_sent(monkeypatch)
    settings = ListSettings(ZONE, "RU", 10)
    typed = ViewChange(search_text="иван")
    first = await archive.write_statement(read_and_keep, ListRequest("completed_at", True), settings, typed)
    assert first.view is not None and first.view.id and first.page.total
    assert len([sql for sql in sent if "list_views" in sql]) == 1
    if archive.postgres:
        assert len(sent) == 1
    again = await archive.write_statement(read_and_keep, ListRequest("completed_at", True), settings, typed)
    assert again.view is not None and again.view.id == first.view.id
    assert again.page == first.page


@pytest.mark.parametrize("typed", ["916", "ов"])
async def test_a_search_that_finds_many_is_stored_with_its_total_and_first_page_by_one_statement(
    archive: Database, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    """A search that finds many dialogs keeps its total with its view, valid for the archive's revision
    (`total_key`), so that its next pages do not count it again. On PostgreSQL the statement that stores
    the view and counts the search keeps it too, as `keep` would after the page, and reads the newest
    dialogs it finds: such a search typed is one statement there, not three; its page is the newest."""
    monkeypatch.setattr(db.dialogs, "SPARSE_LIMIT", 5)  # more than five matches: many
    found = [
        (record.completed_at, position, record.source_id)
        for position, record in enumerate(DATASET)
        if typed in (record.client_phone or "") or typed in fold(record.client_name or "")
    ]
    newest = [source_id for _, _, source_id in sorted(found, reverse=True)[:10]]
    sent = statements_sent(monkeypatch)
    settings = ListSettings(ZONE, "RU", 10)
    change = ViewChange(search_text=typed)
    first = await archive.write_statement(read_and_keep, ListRequest("completed_at", True), settings, change)
    assert first.page.total == len(found) > 5
    assert [row.source_id for row in first.page.rows] == newest
    assert first.page.has_next == (len(found) > 10)
    if archive.postgres:
        assert len(sent) == 1
    stored = archive.run(find_view, ListView(search_text=typed))
    key = total_key(archive.run(archive_revision), Filters())
    assert stored is not None and (stored.total, stored.counted_for) == (len(found), key)
    sent.clear()
    again = await archive.write_statement(read_and_keep, ListRequest("completed_at", True), settings, change)
    assert (again.page.rows, again.page.total) == (first.page.rows, first.page.total)
    if archive.postgres:
        assert len(sent) == 1

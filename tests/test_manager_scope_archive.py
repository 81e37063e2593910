"""The archive seen by a manager linked to one employee (`Archive.seen_by`), on a real archive (SQLite, and
PostgreSQL under `tests/with-servers`): the scope is applied when a view is read, never taken from what
is stored with it — a total a head's page kept for a view is not a linked manager's, nor theirs a head's —
and an export through a scoped archive holds that employee's dialogs alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.archive import Archive
from db.counters import archive_revision
from db.dialogs import DialogRow, Filters
from db.engine import Database
from db.importer import store_records
from db.listing import ListRequest, ListSettings
from db.users import find_employee
from db.views import ListView, remember_total, store_view, total_key
from tests.bot_harness import DATASET, ZONE
from tests.databases import migrated_database

ANNA = "Анна Смирнова"
ANNAS = [record for record in DATASET if record.completed_by == ANNA]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = migrated_database(tmp_path)
    store_records(database.sync_engine, DATASET, zone=ZONE)
    yield database
    database.sync_engine.dispose()


@pytest.fixture
def archive(database: Database) -> Archive:
    return Archive(database, ListSettings(ZONE, "RU", 5))


async def test_a_total_kept_for_a_view_is_kept_for_whom_it_was_counted(
    database: Database, archive: Archive
) -> None:
    anna_id, _ = database.run(find_employee, ANNA)
    view_id = database.run(store_view, ListView(search_text="семен")).id
    revision = database.run(archive_revision)
    # a head's page kept a total for the view, large enough for the engine to take it as counted
    head_key = total_key(revision, Filters())
    database.run(remember_total, view_id, 5000, head_key)
    request = ListRequest("completed_at", True, view_id=view_id)
    assert (await archive.open_list(request)).page.total == 5000

    scoped = await archive.seen_by(anna_id).open_list(request, masked=True)
    assert scoped.page.total == 1 and [row.source_id for row in scoped.page.rows] == ["crm-01"]
    # the manager's count, kept in turn, is not the head's: the head's is counted again
    assert (await archive.open_list(request)).page.total == 2
    database.run(remember_total, view_id, 5000, head_key)
    assert (await archive.seen_by(anna_id).open_list(request, masked=True)).page.total == 1


async def test_seen_by_makes_nothing_for_everyone_and_an_export_holds_the_scope(
    database: Database, archive: Archive
) -> None:
    assert archive.seen_by(None) is archive
    anna_id, _ = database.run(find_employee, ANNA)
    scoped = archive.seen_by(anna_id)
    assert scoped.seen_by(anna_id) is scoped and scoped.scope == anna_id and archive.scope is None

    def collect(batches: Iterator[tuple[int, list[DialogRow]]]) -> list[tuple[int, str]]:
        return [(total, row.source_id) for total, rows in batches for row in rows]

    exported = await scoped.export(ListView(), "completed_at", True, collect)
    assert sorted(source for _, source in exported) == sorted(record.source_id for record in ANNAS)
    assert {total for total, _ in exported} == {len(ANNAS)}
    everyone = await archive.export(ListView(), "completed_at", True, collect)
    assert len(everyone) == len(DATASET)

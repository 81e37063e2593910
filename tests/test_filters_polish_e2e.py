"""Issue 15, point 7 — filters cost taps — end to end through the emulator, on an archive of its own: the
filters screen stays open while filters are chosen and shows what they find; channels and employees come
by volume; letters typed find an employee; the dialogs closed automatically can be filtered to.

The archive: 24 employees, three of them busy (Яна Юдина 10 dialogs, Анна Смирнова 9, Жанна Алёшина 6),
21 with one dialog each, and 4 dialogs nobody completed; WhatsApp the busiest channel (and last by its
code, as the channels used to be listed). Three of Анна's Telegram dialogs are of this month (minutes ago).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from db.engine import Database
from db.importer import store_records
from db.records import DialogRecord
from emulator import BotAPIEmulator, ChatMessage, SimulatedUser
from keyboards.columns import Column
from tests.bot_harness import (
    ADMIN_ID,
    ZONE,
    Entry,
    dialogs_ru,
    expected_entry,
    parse_list,
    say,
    sort_button,
    tap,
)
from tests.databases import migrated_database

NOW = datetime.now(UTC)
PAST = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
QUIET = (  # one dialog each; by name they come before Яна Юдина, who used to be on the second part
    "Алексей Петров",
    "Борис Ким",
    "Вера Лаптева",
    "Галина Орлова",
    "Денис Фомин",
    "Евгений Титов",
    "Зоя Миронова",
    "Игорь Лебедев",
    "Кирилл Носов",
    "Лариса Бойко",
    "Максим Гусев",
    "Нина Ершова",
    "Олег Крылов",
    "Полина Седова",
    "Роман Жуков",
    "Светлана Котова",
    "Тимур Ахметов",
    "Ульяна Зуева",
    "Фёдор Орлов",
    "Харитон Белов",
    "Эдуард Чернов",
)
QUIET_CHANNELS = ("avito", "email", "instagram")


def _records() -> list[DialogRecord]:
    made: list[tuple[str, str | None, datetime]] = []  # channel, who completed, when
    made += [("whatsapp", "Яна Юдина", PAST + timedelta(hours=n)) for n in range(10)]
    made += [("whatsapp", "Анна Смирнова", PAST + timedelta(days=1, hours=n)) for n in range(4)]
    made += [("telegram", "Анна Смирнова", PAST + timedelta(days=2, hours=n)) for n in range(2)]
    made += [("telegram", "Анна Смирнова", NOW - timedelta(minutes=5 + n)) for n in range(3)]
    made += [("vk", "Жанна Алёшина", PAST + timedelta(days=3, hours=n)) for n in range(6)]
    made += [(QUIET_CHANNELS[n % 3], name, PAST + timedelta(days=4, hours=n)) for n, name in enumerate(QUIET)]
    made += [("webchat", None, PAST + timedelta(days=5, hours=n)) for n in range(4)]
    return [
        DialogRecord(
            source_id=f"polish-{n}",
            client_name=f"Покупатель {n}",
            client_phone=None,
            channel=channel,
            completed_by=who,
            started_at=completed - timedelta(minutes=20),
            completed_at=completed,
            message_count=4,
            messages=None,
        )
        for n, (channel, who, completed) in enumerate(made, start=1)
    ]


RECORDS = _records()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """This module's archive (the `settings` and `api` fixtures of conftest run the bot on it)."""
    database = migrated_database(tmp_path_factory.mktemp("filters-polish"))
    store_records(database.sync_engine, RECORDS, zone=ZONE)
    yield database
    database.sync_engine.dispose()


def newest_first(records: list[DialogRecord]) -> list[Entry]:
    ordered = sorted(records, key=lambda record: record.completed_at, reverse=True)
    return [expected_entry(record, n, full_phones=True) for n, record in enumerate(ordered, start=1)]


async def whole_list(user: SimulatedUser, message: ChatMessage) -> list[Entry]:
    entries = parse_list(message.content).entries
    while message.find_button("▶") is not None:
        await tap(user, message, "▶")
        entries += parse_list(message.content).entries
    return entries


def this_month(record: DialogRecord) -> bool:
    today = NOW.astimezone(ZONE)
    local = record.completed_at.astimezone(ZONE)
    return (local.year, local.month) == (today.year, today.month)


# --- 1. the filters screen stays open until the person is done -------------------------------------


async def test_two_filters_cost_two_picks_and_one_tap_to_show(api: BotAPIEmulator) -> None:
    """This month's Telegram dialogs of Анна: each choice comes back to the filters screen, which says what
    the filters find; one tap then shows them. Eight taps from the list, all in the list's message."""
    user = api.user(ADMIN_ID)
    listed = (await say(user, "/dialogs")).message
    taps = 0

    async def press(label: str) -> None:
        nonlocal taps
        reaction = await tap(user, listed, label)
        assert reaction.sent == [], "every screen takes the list message's place"
        taps += 1

    await press("⚙️ Фильтры")
    assert listed.content.split("\n") == [
        "… → Список диалогов → Фильтры",
        "Выберите, что отфильтровать. Фильтры работают вместе с поиском и сортировкой.",
        "",
        f"Найдено: {dialogs_ru(len(RECORDS))}",
    ]
    assert listed.button_rows()[-1] == [f"✅ Показать {dialogs_ru(len(RECORDS))}"]

    await press("📡 Канал: Все каналы")
    await press("✈️ Telegram · 5")
    assert listed.content.split("\n") == [
        "… → Список диалогов → Фильтры",
        "Выберите ещё фильтр или покажите диалоги.",
        "",
        "Найдено: 5 диалогов",
    ]
    assert listed.button_rows() == [
        ["📡 Канал: ✈️ Telegram"],
        ["👤 Сотрудник: Все сотрудники"],
        ["📅 Период: Всё время"],
        ["⭐ Оценка: все"],  # heads and admins filter by their marks too
        ["✖ Сбросить фильтры"],
        ["✅ Показать 5 диалогов"],
    ]

    await press("👤 Сотрудник: Все сотрудники")
    await press("Анна Смирнова")
    assert listed.button_rows()[:3] == [
        ["📡 Канал: ✈️ Telegram"],
        ["👤 Сотрудник: Анна Смирнова"],
        ["📅 Период: Всё время"],
    ]
    assert listed.button_rows()[-1] == ["✅ Показать 5 диалогов"]

    await press("📅 Период: Всё время")
    await press("Этот месяц")
    expected = [r for r in RECORDS if r.channel == "telegram" and r.completed_by == "Анна Смирнова"]
    expected = [r for r in expected if this_month(r)]
    assert len(expected) == 3
    assert f"Найдено: {dialogs_ru(3)}" in listed.content
    assert listed.button_rows()[-1] == ["✅ Показать 3 диалога"]

    await press("✅ Показать 3 диалога")
    assert taps == 8
    screen = parse_list(listed.content)
    assert any(
        line.startswith("✈️ Telegram · 👤 Анна Смирнова · 📅 Этот месяц (") for line in screen.header
    ), screen.header
    assert screen.found == 3
    assert await whole_list(user, listed) == newest_first(expected)


# --- 2. channels and employees by volume -------------------------------------------------------------


async def test_channels_and_employees_come_by_volume(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    listed = (await say(user, "/dialogs")).message
    await tap(user, listed, "⚙️ Фильтры")
    await tap(user, listed, "📡 Канал: Все каналы")
    assert "Сначала — те, где больше диалогов." in listed.content
    # WhatsApp, the busiest, first (it came last by its code); equal ones keep their order
    assert listed.button_rows() == [
        ["✓ Все каналы", "🟢 WhatsApp · 14"],
        ["🏷 Авито · 7", "✉️ Почта · 7"],
        ["📸 Instagram · 7", "🔵 ВКонтакте · 6"],
        ["✈️ Telegram · 5", "💬 Чат на сайте · 4"],
        ["⬅ Назад"],
    ]
    await tap(user, listed, "⬅ Назад")

    await tap(user, listed, "👤 Сотрудник: Все сотрудники")
    labels = [label for row in listed.button_rows() for label in row]
    # the busiest first (Яна Юдина was on the second part, by name), then those of one dialog, by name
    assert labels[:6] == [
        "✓ Все сотрудники",
        "Яна Юдина",
        "Анна Смирнова",
        "Жанна Алёшина",
        "🤖 Закрыт автоматически",
        "Алексей Петров",
    ]
    assert labels[-2:] == ["Дальше ▶", "⬅ Назад"]
    await tap(user, listed, "Дальше ▶")
    assert [label for row in listed.button_rows() for label in row] == [
        "Тимур Ахметов",
        "Ульяна Зуева",
        "Фёдор Орлов",
        "Харитон Белов",
        "Эдуард Чернов",
        "◀ Раньше",
        "⬅ Назад",
    ]

    # by volume in the view being filtered: in WhatsApp, Яна (10) then Анна (4), then everyone else
    await tap(user, listed, "⬅ Назад")
    await tap(user, listed, "📡 Канал: Все каналы")
    await tap(user, listed, "🟢 WhatsApp · 14")
    await tap(user, listed, "👤 Сотрудник: Все сотрудники")
    labels = [label for row in listed.button_rows() for label in row]
    assert labels[:4] == ["✓ Все сотрудники", "Яна Юдина", "Анна Смирнова", "Алексей Петров"]
    assert "🤖 Закрыт автоматически" not in labels  # none of them in WhatsApp
    await tap(user, listed, "Анна Смирнова")
    # and the channels, in the view of Анна: WhatsApp 4, Telegram 5
    await tap(user, listed, "📡 Канал: 🟢 WhatsApp")
    assert listed.button_rows()[:2] == [
        ["Все каналы", "✈️ Telegram · 5"],
        ["✓ 🟢 WhatsApp · 4", "🏷 Авито · 0"],
    ]


# --- 3. letters of a name ----------------------------------------------------------------------------


async def test_letters_typed_on_the_employee_choices_find_employees(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    listed = (await say(user, "/dialogs")).message
    await tap(user, listed, "⚙️ Фильтры")
    await tap(user, listed, "👤 Сотрудник: Все сотрудники")
    assert "✍️ Или напишите несколько букв имени." in listed.content

    reaction = await say(user, "АЛЕШ")  # case and ё aside
    assert reaction.sent == [] and [m.message_id for m in reaction.edited] == [listed.message_id]
    assert "👤 По «АЛЕШ» нашёлся 1 сотрудник. Выберите или напишите иначе." in listed.content
    assert listed.button_rows() == [["Жанна Алёшина"], ["⬅ Назад"]]

    await say(user, "анн")  # Анна and Жанна, the busier first
    assert "👤 По «анн» нашлось 2 сотрудника." in listed.content
    assert listed.button_rows() == [["Анна Смирнова", "Жанна Алёшина"], ["⬅ Назад"]]

    await say(user, "щщщ")
    assert "👤 По «щщщ» никого не нашлось." in listed.content
    assert listed.button_rows() == [["⬅ Назад"]]
    await tap(user, listed, "⬅ Назад")  # all the employees again, and letters still find them
    assert "Яна Юдина" in listed.button_texts()

    await say(user, "смирн")
    await tap(user, listed, "Анна Смирнова")
    assert "👤 Сотрудник: Анна Смирнова" in listed.button_texts()
    assert listed.button_rows()[-1] == ["✅ Показать 9 диалогов"]

    # the choice made, text typed is a search again (of the whole archive, as a new message)
    found = (await say(user, "Покупатель")).message
    assert found.message_id != listed.message_id
    assert parse_list(found.content).found == len(RECORDS)

    await tap(user, listed, "👤 Сотрудник: Анна Смирнова")
    cancelled = await say(user, "/cancel")
    assert cancelled.text.startswith("Поиск сотрудника отменён.")
    assert parse_list(cancelled.text.split("\n\n", 1)[1]).found == 9  # the list the choices were for


# --- 4. closed automatically -------------------------------------------------------------------------


async def test_the_dialogs_closed_automatically_can_be_filtered_to(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    listed = (await say(user, "/dialogs")).message
    await tap(user, listed, "⚙️ Фильтры")
    await tap(user, listed, "👤 Сотрудник: Все сотрудники")
    await tap(user, listed, "🤖 Закрыт автоматически")
    assert "👤 Сотрудник: 🤖 Закрыт автоматически" in listed.button_texts()
    assert listed.content.endswith("Найдено: 4 диалога")

    await tap(user, listed, "📡 Канал: Все каналы")  # counted from the statistics of nobody's dialogs
    assert listed.button_rows()[0] == ["✓ Все каналы", "💬 Чат на сайте · 4"]
    await tap(user, listed, "⬅ Назад")
    await tap(user, listed, "👤 Сотрудник: 🤖 Закрыт автоматически")
    assert "✓ 🤖 Закрыт автоматически" in listed.button_texts()
    await tap(user, listed, "⬅ Назад")

    await tap(user, listed, "✅ Показать 4 диалога")
    screen = parse_list(listed.content)
    assert "🤖 Закрыт автоматически" in screen.header
    assert screen.found == 4
    nobodys = [record for record in RECORDS if record.completed_by is None]
    assert await whole_list(user, listed) == newest_first(nobodys)
    assert {entry.completed_by for entry in screen.entries} == {"автозакрытие"}

    await tap(user, listed, sort_button(listed, Column.COMPLETED_BY))  # through the employees' sort index
    assert parse_list(listed.content).found == 4
    assert sorted(e.client for e in await whole_list(user, listed)) == sorted(
        r.client_name or "" for r in nobodys
    )

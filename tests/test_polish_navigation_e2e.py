"""Polish for a head of sales on a phone (issue 15), the ways between screens, through the emulator and
asserting on what the person sees: ⬅ Назад from a drill-down returns to the analytics report it came from
(point 3); a typed answer takes the place of the question that asked for it, and 🔎 says it searches within
the filters (point 8); an employee's name searched for offers that employee's dialogs (point 13)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from db.engine import Database
from db.importer import store_records
from db.periods import Period, range_period
from db.records import DialogRecord
from db.views import ListView
from emulator import BotAPIEmulator, ChatMessage, SimulatedUser
from keyboards.callbacks import ANALYTICS_PERIODS, RANGE_PERIOD, AnalyticsCallback, Section
from tests.bot_harness import (
    ADMIN_ID,
    BREADCRUMB,
    DATASET,
    HEAD_ID,
    MANAGER_ID,
    ZONE,
    parse_list,
    say,
    seeded_archive,
    tap,
)
from views.analytics import typed_range

ANALYTICS_PATH = "… → Для руководителя → Аналитика"  # one line of a narrow phone
RECORDS_PATH = "… → Для руководителя → Записи"
NOW = datetime.now(UTC)
# A few days ago (well inside «7 дней» whenever the tests run), by the employees of the archive and by one
# more Анна: the dataset's own dialogs are of November 2026
RECENT = [
    DialogRecord(
        source_id=f"crm-recent-{n}",
        client_name=f"Недавний Клиент {n}",
        client_phone=f"+7916555{n:04d}",
        channel="whatsapp" if n % 2 else "telegram",
        completed_by="Анна Кузнецова" if n == 3 else "Анна Смирнова",
        started_at=None,
        completed_at=NOW - timedelta(days=1 + n % 3, hours=1),
        message_count=2 + n,
        messages=None,
    )
    for n in range(1, 4)
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The archive of `tests.bot_harness.DATASET` (November 2026), and three dialogs of these days."""
    database = seeded_archive(tmp_path_factory.mktemp("navigation"))
    store_records(database.sync_engine, RECENT, zone=ZONE)
    yield database
    database.sync_engine.dispose()


def looks(message: ChatMessage) -> tuple[str, list[list[str]]]:
    """A screen as the person sees it: its text and its buttons."""
    return message.content, message.button_rows()


async def open_analytics(user: SimulatedUser) -> ChatMessage:
    """/start → Отдел продаж → Для руководителя → Аналитика."""
    await say(user, "/start")
    menu = user.last_message
    for label in ("Отдел продаж", "Для руководителя", "Аналитика"):
        await tap(user, menu, label)
    assert menu.content.startswith(ANALYTICS_PATH)
    return menu


async def typed_range_report(user: SimulatedUser, section: str | None = None) -> ChatMessage:
    """The analytics for 20.11–21.11.2026, typed, on the section `section` (a button's label)."""
    screen = await open_analytics(user)
    if section is not None:
        await tap(user, screen, section)
    await tap(user, screen, "✏️ Свои даты")
    report = (await say(user, "20.11.2026–21.11.2026")).message
    assert "✓ 20.11–21.11.2026" in report.button_texts()
    return report


# --- Point 3: back from a drill-down -----------------------------------------------------------------


async def test_back_from_a_drilled_down_list_returns_to_the_report_of_the_typed_range(
    api: BotAPIEmulator,
) -> None:
    user = api.user(HEAD_ID)
    report = await typed_range_report(user)
    before = looks(report)
    assert "• 👤 Сотрудники" in report.button_texts()

    await tap(user, report, "1")  # the employee of the first row: the list filtered to them
    header = parse_list(report.content).header
    assert header[0] == BREADCRUMB and "📅 20.11–21.11.2026" in "\n".join(header)
    assert report.button_rows()[-1] == ["⬅ Назад"]
    await tap(user, report, "⬅ Назад")
    assert looks(report) == before  # the same report, for the same days, with the same buttons

    listed = (await say(user, "/dialogs")).message  # the list opened from the menu goes back to the menu
    await tap(user, listed, "Сообщ.")
    await tap(user, listed, "⬅ Назад")
    assert listed.content.startswith(RECORDS_PATH) and "Список диалогов" in listed.button_texts()


async def test_the_way_back_survives_sorting_paging_and_a_card(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    report = await typed_range_report(user, "📡 Каналы")
    before = looks(report)

    await tap(user, report, "1")  # the busiest channel of the two days
    first_page = parse_list(report.content)
    await tap(user, report, "Сообщ.")  # sorted by the number of messages
    assert "Сортировка: Сообщений ↓" in report.content
    if report.find_button("▶") is not None:
        await tap(user, report, "▶")
    page = looks(report)
    await tap(user, report, str(parse_list(report.content).entries[0].number))  # a card
    assert report.button_rows()[-1] == ["⬅ К списку"]
    await tap(user, report, "⬅ К списку")  # the card goes back to the list, to the same page
    assert looks(report) == page
    assert parse_list(report.content).found == first_page.found
    await tap(user, report, "⬅ Назад")  # and the list to the report
    assert looks(report) == before


async def test_back_from_a_day_of_the_busiest_days_returns_to_the_days_of_the_whole_range(
    api: BotAPIEmulator,
) -> None:
    user = api.user(HEAD_ID)
    report = await typed_range_report(user, "🕒 Дни и часы")
    before = looks(report)
    await tap(user, report, "2")  # one day of the two: the list of that day alone
    assert "📅 20.11.2026" in "\n".join(parse_list(report.content).header)
    await tap(user, report, "⬅ Назад")
    assert looks(report) == before  # both days again, not the one drilled into


async def test_back_from_a_drill_down_of_a_named_period_returns_to_that_period(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    report = await open_analytics(user)
    await tap(user, report, "👥 Клиенты")
    await tap(user, report, "Вчера")
    await tap(user, report, "7 дней")
    assert "✓ 7 дней" in report.button_texts() and "• 👥 Клиенты" in report.button_texts()
    before = looks(report)
    await tap(user, report, "1")
    assert parse_list(report.content).found == 1
    await tap(user, report, "⬅ Назад")
    assert looks(report) == before


# --- Point 8: prompts left behind ------------------------------------------------------------------


def questions_left(user: SimulatedUser) -> list[str]:
    """The bot's messages in the chat that still ask for something."""
    return [
        message.content
        for message in user.bot_messages
        if "Напишите даты" in message.content or "Напишите имя" in message.content
    ]


async def test_typed_dates_take_the_place_of_the_question_and_the_search_says_its_filters(
    api: BotAPIEmulator,
) -> None:
    user = api.user(ADMIN_ID)
    listed = (await say(user, "/dialogs")).message
    await tap(user, listed, "⚙️ Фильтры")
    period = next(label for label in listed.button_texts() if label.startswith("📅 Период"))
    await tap(user, listed, period)
    await tap(user, listed, "✏️ Свои даты")
    assert "📅 Напишите даты через тире" in listed.content

    reaction = await say(user, "20.11.2026–21.11.2026")
    assert reaction.sent == []  # no new message: the question became the list
    assert [edited.message_id for edited in reaction.edited] == [listed.message_id]
    screen = parse_list(listed.content)
    assert screen.header[0] == BREADCRUMB and "📅 20.11–21.11.2026" in screen.header
    assert listed.button_rows()[-1] == ["⬅ Назад"] and "🔎 Поиск" in listed.button_texts()
    assert questions_left(user) == []

    # 🔎 within these filters: the question says so, in the list header's words
    await tap(user, listed, "🔎 Поиск")
    assert listed.content.split("\n") == [
        BREADCRUMB,
        "",
        "🔎 Напишите имя клиента или номер телефона — целиком или последние цифры.",
        "Ищу среди диалогов с фильтрами: 📅 20.11–21.11.2026",
        "",
        "/cancel — вернуться к списку",
    ]
    reaction = await say(user, "семён")
    assert reaction.sent == [] and reaction.edited == [listed]
    screen = parse_list(listed.content)
    assert "🔎 «семён»" in screen.header and "📅 20.11–21.11.2026" in screen.header
    assert [entry.client for entry in screen.entries] == ["Семён Иванов", "Семён Иванов"]
    assert questions_left(user) == []


async def test_a_search_typed_after_the_button_takes_the_place_of_the_question(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    listed = (await say(user, "/dialogs")).message
    await tap(user, listed, "🔎 Поиск")
    assert "Ищу среди" not in listed.content  # no filters: the whole archive
    reaction = await say(user, "Королёва")
    assert reaction.sent == [] and reaction.edited == [listed]
    assert [entry.client for entry in parse_list(listed.content).entries] == ["Алёна Королёва"]
    assert questions_left(user) == []

    # a whole number of one dialog: its card, in the question's place too
    await tap(user, listed, "🔎 Поиск")
    reaction = await say(user, "+7 701 111 22 33")
    assert reaction.sent == [] and reaction.edited == [listed]
    assert listed.content.startswith("🔎 По этому номеру найден один диалог")
    assert "Айгерим Нурланова" in listed.content and listed.button_rows()[-1] == ["⬅ К списку"]
    assert questions_left(user) == []


async def test_a_question_that_cannot_be_edited_is_deleted_and_the_answer_comes_anew(
    api: BotAPIEmulator,
) -> None:
    user = api.user(HEAD_ID)
    listed = (await say(user, "/dialogs")).message
    await tap(user, listed, "🔎 Поиск")
    api.fail_next("editMessageText", description="Bad Request: message can't be edited")
    reaction = await say(user, "Королёва")
    assert reaction.deleted == [listed.message_id]
    assert [entry.client for entry in parse_list(reaction.sent[0].content).entries] == ["Алёна Королёва"]
    assert questions_left(user) == []


async def test_dates_typed_for_the_analytics_take_the_place_of_the_question(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    screen = await open_analytics(user)
    await tap(user, screen, "✏️ Свои даты")
    assert "📅 Напишите даты через тире" in screen.content
    reaction = await say(user, "20.11.2026–21.11.2026")
    assert reaction.sent == [] and reaction.edited == [screen]
    assert screen.content.startswith(ANALYTICS_PATH) and "✓ 20.11–21.11.2026" in screen.button_texts()
    assert questions_left(user) == []


# --- Point 13: an employee's name searched for ----------------------------------------------------


async def test_an_employees_name_searched_for_offers_their_dialogs(api: BotAPIEmulator) -> None:
    user = api.user(MANAGER_ID)  # anyone may: the names of employees are no secret
    found = (await say(user, "анна смирнова")).message
    assert found.content.split("\n\n")[1:] == [
        "По запросу «анна смирнова» ничего не нашлось.\nПопробуйте часть имени или номер телефона целиком.",
        "👤 Это сотрудник — показать его диалоги?",
    ]
    assert found.button_rows()[0] == ["👤 Анна Смирнова"]
    await tap(user, found, "👤 Анна Смирнова")
    screen = parse_list(found.content)
    assert "👤 Анна Смирнова" in screen.header and not any("🔎" in line for line in screen.header)
    assert screen.found == sum(r.completed_by == "Анна Смирнова" for r in [*DATASET, *RECENT])
    assert {entry.completed_by for entry in screen.entries} == {"Анна Смирнова"}


async def test_a_name_of_several_employees_offers_each_and_a_number_offers_none(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    found = (await say(user, "Анна")).message  # no client is an Анна
    assert found.content.endswith("👤 Так зовут нескольких сотрудников — чьи диалоги показать?")
    assert found.button_rows()[:2] == [["👤 Анна Кузнецова"], ["👤 Анна Смирнова"]]
    await tap(user, found, "👤 Анна Кузнецова")
    screen = parse_list(found.content)
    assert "👤 Анна Кузнецова" in screen.header
    assert [entry.client for entry in screen.entries] == ["Недавний Клиент 3"]

    nothing = (await say(user, "4321")).message  # no client's, and a number is nobody's name
    assert "Так зовут" not in nothing.content and "Это сотрудник" not in nothing.content
    assert not any(label.startswith("👤") for label in nothing.button_texts())


def days(first: date, last: date) -> Period:
    period = range_period(first, last)
    assert period is not None
    return period


def test_the_way_back_tells_every_report_and_a_range_around_the_day_drilled_into() -> None:
    """`views.drill`: the number a drilled-down list carries comes back as the report it was made of."""
    from views.drill import report_code, report_of  # here: without the module, this test alone fails

    first, last = date(2026, 1, 1), date(2026, 12, 31)
    year, day = days(first, last), date(2026, 7, 1)
    whole = ListView(employee_id=1, period=year.code)  # a row of the whole range
    for section in Section:
        for number in range(len(ANALYTICS_PERIODS)):
            if number == RANGE_PERIOD:
                continue
            shown = AnalyticsCallback(section=section, period=number)
            assert report_of(report_code(shown, first, last, first, last), None) == shown
        ranged = typed_range(section, year)
        assert report_of(report_code(ranged, first, last, first, last), whole) == ranged
        one_day = ListView(period=days(day, day).code)  # a row of one day of it (the busiest days)
        assert report_of(report_code(ranged, first, last, day, day), one_day) == ranged
    assert report_of(0, whole) is None  # the list opened from the menu
    years = typed_range(Section.TIME, days(date(2020, 1, 1), date(2026, 12, 31)))
    assert report_code(years, date(2020, 1, 1), date(2026, 12, 31), day, day) == 0  # too far: the menu


async def test_analytics_is_one_command_away_for_a_head_and_refused_to_a_manager(api: BotAPIEmulator) -> None:
    """/analytics: the screen the menu's three taps lead to, the same text and buttons."""
    head = api.user(HEAD_ID)
    commanded = (await say(head, "/analytics")).message
    assert looks(commanded) == looks(await open_analytics(head))
    assert commanded.content.startswith(ANALYTICS_PATH) and "Сотрудники" in commanded.content
    refused = await say(api.user(MANAGER_ID), "/analytics")
    assert refused.text == "Аналитика доступна руководителям и администраторам."
    assert refused.message.button_rows() == []

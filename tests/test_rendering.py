"""What the person reads, rendered without a bot: phone numbers, the list page, the dialog card, plurals.

Texts are checked the way Telegram takes them: parsed as HTML by the emulator's strict parser (every `<`,
`>`, `&` of data must be escaped) and measured after parsing (at most 4096 characters)."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
import pytest

import views.texts
from db.analytics import ChannelStats, EmployeeStats
from db.cards import Card, TranscriptLine
from db.dialogs import DialogPage, DialogRow, PagePosition
from db.listing import ListResult
from db.periods import Span
from db.phones import parse_e164
from db.views import ListView, StoredView
from emulator import parse_html
from keyboards.columns import Column
from views.card import render_card
from views.dialog_list import render_list
from views.formatting import _format_other_phone, format_phone, h
from views.reports import channels_text, compared_with, employees_text
from views.texts import texts_for

RU = texts_for("ru")
EN = texts_for("en")
MOSCOW = ZoneInfo("Europe/Moscow")
COMPLETED = datetime(2026, 11, 20, 20, 30, tzinfo=UTC)
TEXT_MAX = 4096
NASTY = "<b>&amp;</b> & <i>x</i> > <"


def row(
    number: int = 1,
    *,
    name: str | None = "Семён Иванов",
    phone: str | None = "+79161234567",
    channel: str = "whatsapp",
    employee: str | None = "Анна Смирнова",
    completed: datetime = COMPLETED,
    messages: int = 12,
) -> DialogRow:
    return DialogRow(
        id=number,
        source_id=f"crm-{number}",
        client_name=name,
        client_phone=phone,
        channel=channel,
        completed_by=employee,
        started_at=completed - timedelta(minutes=42),
        completed_at=completed,
        message_count=messages,
    )


def list_text(
    rows: list[DialogRow],
    *,
    full_phones: bool = True,
    zone: ZoneInfo = MOSCOW,
    search: str | None = None,
    total: int | None = None,
    t_language: str = "ru",
    today: date = date(2026, 11, 25),
) -> str:
    total = len(rows) if total is None else total
    result = ListResult(
        view=StoredView(1, ListView(search_text=search)) if search else None,
        page=DialogPage(rows, total, has_previous=False, has_next=total > len(rows)),
        position=PagePosition.FIRST,
        anchor=0,
        page_number=1,
        pages=max(1, -(-total // 10)),
        first_number=1,
        today=today,
    )
    return render_list(
        result,
        Column.COMPLETED_AT,
        True,
        t=texts_for(t_language),
        zone=zone,
        mask_region=None if full_phones else "RU",
    )


def visible(source: str) -> str:
    """What Telegram shows: fails on any HTML Telegram (or the strict emulator) would reject."""
    return parse_html(source, strict=True).text.strip()


def entries(text: str) -> list[list[str]]:
    """The numbered entries of a visible list text, each as its lines."""
    return [chunk.split("\n") for chunk in text.split("\n\n") if re.match(r"\d+\. ", chunk)]


# --- Phone numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("e164", "full", "masked"),
    [
        ("+79161234567", "+7 916 123-45-67", "+7 916 ***-**-67"),  # Russia
        ("+442079460958", "+44 20 7946 0958", "+44 20 **** **58"),  # United Kingdom
        ("+12125550187", "+1 212-555-0187", "+1 212-***-**87"),  # United States
        ("+77011112233", "+7 701 111 2233", "+7 701 *** **33"),  # Kazakhstan
    ],
)
def test_a_number_in_full_and_masked(e164: str, full: str, masked: str) -> None:
    """Masked: the country and the area code stay, then only the last two digits (docstring of
    `format_phone` and DESIGN §3: `+7 916 ***-**-67`)."""
    assert format_phone(e164, masked=False) == full
    assert format_phone(e164, masked=True) == masked


@pytest.mark.parametrize("e164", ["+79161234567", "+442079460958", "+12125550187", "+77011112233"])
def test_a_masked_number_hides_the_subscriber(e164: str) -> None:
    masked = format_phone(e164, masked=True)
    digits = "".join(ch for ch in masked if ch.isdigit())
    assert masked.count("*") >= 5
    assert e164[-2:] == digits[-2:]
    assert e164[-7:-2] not in digits


# --- The list -----------------------------------------------------------------------------------------


def test_the_list_escapes_names_and_employees() -> None:
    rows = [
        row(1, name="Кафе <b>Уют</b> & Co", employee="Олег <Ст> & Co"),
        row(2, name=NASTY, employee=NASTY),
    ]
    text = visible(list_text(rows, search="<i>уют</i> & co"))
    assert "🔎 «<i>уют</i> & co»" in text
    first, second = entries(text)
    assert first[0] == "1. Кафе <b>Уют</b> & Co · 🟢 WhatsApp"
    assert first[2].endswith(" · Олег <Ст> & Co")
    assert second[0].startswith(f"2. {NASTY} · ")
    assert second[2] == f"20.11 23:30 · {NASTY[:17]}…"  # what a narrow phone's line has room for


def test_the_list_shows_the_six_columns() -> None:
    rows = [
        row(1),
        row(2, name=None, phone="+79995554567", channel="avito", employee=None, messages=1),
        row(3, name="Алёна Королёва", phone=None, channel="vk", messages=3),
    ]
    text = visible(list_text(rows))
    assert entries(text) == [
        [
            "1. Семён Иванов · 🟢 WhatsApp",
            "+7 916 123-45-67 · 12 сообщений",
            "20.11 23:30 · Анна Смирнова",
        ],
        [
            "2. Без имени · 🏷 Авито",
            "+7 999 555-45-67 · 1 сообщение",
            "20.11 23:30 · автозакрытие",
        ],
        ["3. Алёна Королёва · 🔵 ВКонтакте", "— · 3 сообщения", "20.11 23:30 · Анна Смирнова"],
    ]
    assert "Найдено: 3 диалога · стр. 1 из 1" in text


def test_a_manager_reads_masked_numbers_only() -> None:
    text = visible(list_text([row(1), row(2, phone="+442079460958")], full_phones=False))
    assert "+7 916 ***-**-67" in text and "+44 20 **** **58" in text
    assert "123-45-67" not in text and "7946 0958" not in text


def test_a_page_of_ten_with_the_longest_names_fits_a_message() -> None:
    """Names and employees may be 200 characters (the import's limit); full of characters to escape."""
    longest = ("Ж&<>" * 50)[:200]
    rows = [
        row(n, name=longest, employee=longest, channel="webchat", messages=10_000, phone="+442079460958")
        for n in range(1, 11)
    ]
    text = visible(list_text(rows, search=longest, total=1_000_000))
    assert len(text) <= TEXT_MAX
    assert len(entries(text)) == 10


def test_each_entry_takes_at_most_three_lines() -> None:
    rows = [row(n, name=f"Клиент {n}" * 3, employee=None if n % 2 else "Борис Ким") for n in range(1, 11)]
    text = visible(list_text(rows, total=57))
    found = entries(text)
    assert len(found) == 10
    assert all(len(lines) <= 3 for lines in found)


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Europe/Moscow", "20.11 23:30"),
        ("Asia/Novosibirsk", "21.11 03:30"),
        ("Europe/London", "20.11 20:30"),
        ("America/New_York", "20.11 15:30"),
    ],
)
def test_dates_are_in_the_configured_time_zone(zone: str, shown: str) -> None:
    [entry] = entries(visible(list_text([row()], zone=ZoneInfo(zone))))
    assert entry[2] == f"{shown} · Анна Смирнова"


def test_an_entry_names_the_year_only_when_it_is_not_this_one() -> None:
    """Every row of this year would repeat it on a line a narrow phone has ~32 characters of."""
    [this_year] = entries(visible(list_text([row()], today=date(2026, 1, 1))))
    [last_year] = entries(visible(list_text([row()], today=date(2027, 1, 1))))
    assert this_year[2] == "20.11 23:30 · Анна Смирнова"
    assert last_year[2] == "20.11.2026 23:30 · Анна Смирнова"


def test_every_line_of_an_entry_fits_a_narrow_phone_with_a_long_employee_name() -> None:
    rows = [row(1, employee="Александра Константинопольская"), row(2, employee="Мария-Луиза Константинова")]
    text = visible(list_text(rows))
    assert [entry[2] for entry in entries(text)] == [
        "20.11 23:30 · А. Константинопол…",
        "20.11 23:30 · М. Константинова",
    ]
    assert all(len(line) <= 32 for entry in entries(text) for line in entry[1:])


@pytest.mark.parametrize(
    ("count", "words"),
    [
        (0, "0 сообщений"),
        (1, "1 сообщение"),
        (2, "2 сообщения"),
        (4, "4 сообщения"),
        (5, "5 сообщений"),
        (11, "11 сообщений"),
        (12, "12 сообщений"),
        (14, "14 сообщений"),
        (21, "21 сообщение"),
        (22, "22 сообщения"),
        (25, "25 сообщений"),
        (101, "101 сообщение"),
        (111, "111 сообщений"),
    ],
)
def test_russian_plurals_of_messages(count: int, words: str) -> None:
    [entry] = entries(visible(list_text([row(messages=count)])))
    assert entry[1] == f"+7 916 123-45-67 · {words}"


@pytest.mark.parametrize(
    ("total", "words"), [(1, "1 диалог"), (3, "3 диалога"), (11, "11 диалогов"), (21, "21 диалог")]
)
def test_russian_plurals_of_the_total(total: int, words: str) -> None:
    assert f"Найдено: {words} · " in visible(list_text([row()], total=total))


def test_english_plurals() -> None:
    one = visible(list_text([row(messages=1)], total=1, t_language="en"))
    assert "Found: 1 dialog · page 1 of 1" in one and "· 1 message\n" in one
    many = visible(list_text([row(messages=21)], total=21, t_language="en"))
    assert "Found: 21 dialogs · page 1 of 3" in many and "· 21 messages\n" in many


def test_nothing_found_and_an_empty_archive() -> None:
    nothing = visible(list_text([], total=0, search="<zzz>"))
    assert nothing.endswith(
        "По запросу «<zzz>» ничего не нашлось.\nПопробуйте часть имени или последние 4 цифры номера."
    )
    assert "Найдено" not in nothing
    empty = visible(list_text([], total=0))
    assert "В архиве пока нет диалогов." in empty


# --- The card -----------------------------------------------------------------------------------------


def transcript(count: int, *, text: str, author: str | None, start: datetime) -> list[TranscriptLine]:
    return [
        TranscriptLine(
            sent_at=start + timedelta(minutes=index),
            sender="client" if index % 2 == 0 else "employee",
            author=author,
            text=text,
        )
        for index in range(count)
    ]


def card_text(
    dialog: DialogRow, lines: list[TranscriptLine], *, total: int, full_phones: bool = True, first: int = 1
) -> str:
    parts = max(1, -(-total // 8))
    card = Card(dialog, lines, (first - 1) // 8, parts, total, first)
    return render_card(card, t=RU, zone=MOSCOW, mask_region=None if full_phones else "RU")


def test_the_card_escapes_the_transcript() -> None:
    dialog = row(name="Кафе <b>Уют</b> & Co", employee="Олег <Старший>")
    lines = transcript(2, text="<script>alert(1)</script> & &amp; <b>", author="A & <B>", start=COMPLETED)
    text = visible(card_text(dialog, lines, total=2))
    assert "Кафе <b>Уют</b> & Co" in text and "Завершил: Олег <Старший>" in text
    assert text.count("<script>alert(1)</script> & &amp; <b>") == 2
    assert "A & <B>" in text


def test_the_card_shows_the_columns_in_full() -> None:
    text = visible(card_text(row(), [], total=0)).split("\n")
    for line in [
        "Семён Иванов",
        "Канал: 🟢 WhatsApp",
        "Номер: +7 916 123-45-67",
        "Завершил: Анна Смирнова",
        "Начало: 20.11.2026 22:48",
        "Завершён: 20.11.2026 23:30 (42 мин)",
    ]:
        assert line in text
    masked = visible(card_text(row(), [], total=0, full_phones=False))
    assert "Номер: +7 916 ***-**-67" in masked and "123-45-67" not in masked


def test_eight_messages_of_the_longest_text_fit_a_message() -> None:
    lines = transcript(8, text="Ж<&>" * 2000, author="Семён Иванов", start=COMPLETED)
    text = visible(card_text(row(), lines, total=40))
    assert len(text) <= TEXT_MAX
    assert "Переписка: 1–8 из 40" in text


def test_a_card_with_the_longest_names_everywhere_fits_a_message() -> None:
    """Client, employee and authors of 200 characters (the import's limit for names)."""
    longest = ("Ю&<" * 70)[:200]
    dialog = row(name=longest, employee=longest)
    lines = transcript(8, text="Ж<&>" * 2000, author=longest, start=COMPLETED)
    text = visible(card_text(dialog, lines, total=8))
    assert len(text) <= TEXT_MAX


def test_h_escapes_what_html_needs() -> None:
    assert h("<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;"
    assert visible(h(NASTY)) == NASTY


# --- The refusal --------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_refusal_shows_the_telegram_id_as_it_is_typed(language: str) -> None:
    """The id is for `dialogs-bot users add ID`: digits only, no thousands separators."""
    t = texts_for(language)
    assert "123456789" in visible(t("access-denied", id=123456789))
    assert "123456789" in t("access-denied-alert", id=123456789)


def test_a_manager_reads_numbers_inside_the_conversation_masked() -> None:
    dialog = row(name="Иван")
    lines = transcript(1, text="Мой номер 8 (916) 123-45-67, звоните", author="Иван", start=COMPLETED)
    manager = visible(card_text(dialog, lines, total=1, full_phones=False))
    assert "Мой номер +7 916 ***-**-67, звоните" in manager
    assert "123-45-67" not in manager
    head = visible(card_text(dialog, lines, total=1, full_phones=True))
    assert "Мой номер 8 (916) 123-45-67, звоните" in head


def test_the_fast_path_for_russian_mobiles_agrees_with_phonenumbers() -> None:
    rng = random.Random(3)
    for _ in range(500):
        e164 = "+79" + "".join(rng.choice("0123456789") for _ in range(9))
        for masked in (False, True):
            assert format_phone(e164, masked=masked) == _format_other_phone(e164, masked)


def test_stored_numbers_are_read_as_phonenumbers_parses_them() -> None:
    """`parse_e164` skips parsing: for every region's example numbers of every type (Italian leading zeros
    included) it gives what `phonenumbers.parse` gives, and so the same display."""
    numbers = []
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                numbers.append(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164))
    assert len(numbers) > 400 and "+390212345678" in numbers
    for e164 in numbers:
        assert parse_e164(e164) == phonenumbers.parse(e164), e164
    for bad in ("+", "+0", "+999", "12345", "+7abc"):
        with pytest.raises(phonenumbers.NumberParseException):
            parse_e164(bad)


def test_both_catalogues_have_the_same_texts() -> None:
    """A text missing in one language would fail only when someone reaches it."""
    ids: dict[str, set[str]] = {}
    for language in ("ru", "en"):
        source = (Path(views.texts.LOCALES) / f"{language}.ftl").read_text(encoding="utf-8")
        ids[language] = set(re.findall(r"^([a-z][a-z0-9-]*) =", source, re.MULTILINE))
    assert ids["ru"] == ids["en"]
    assert len(ids["ru"]) > 100


def test_the_employees_table_is_told_ten_a_page_with_labelled_figures() -> None:
    t = texts_for("ru")
    rows = [
        EmployeeStats(
            n,
            f"Сотрудник с очень длинным именем и фамилией номер {n}",
            100 - n,
            1000,
            600,
            (
                ("whatsapp", 50),
                ("telegram", 20),
                ("vk", 10),
                ("viber", 5),
                ("email", 3),
                ("avito", 1),
            ),
        )
        for n in range(1, 61)
    ]
    rows.append(EmployeeStats(0, None, 7, 70, 60, (("webchat", 7),)))
    first = employees_text(t, "7 дней", rows)
    assert (first.first, first.count, first.pages) == (1, 10, 6)
    lines = visible(first.text).split("\n")
    assert "Сотрудники 1–10 из 60, самые занятые первыми" in lines
    assert "1. Сотрудник с очень длинным именем и фамилией номер 1 — 99 диалогов" in lines
    # every figure says what it is: messages and their average, the median duration, the channels by name
    assert "1\xa0000 сообщений, по 10 на диалог" in lines
    assert "обычно диалог длится 10 мин" in lines
    assert "WhatsApp 50 · Telegram 20 · ещё 4 канала" in lines
    assert "11. Сотрудник" not in first.text and "Закрыты автоматически" not in first.text
    assert len(lines) <= 60  # ten employees of five short lines: not the hundred lines of all of them

    last = employees_text(t, "7 дней", rows, page=5)
    assert (last.first, last.count, last.pages) == (51, 11, 6)  # and the dialogs nobody completed
    last_lines = visible(last.text).split("\n")
    assert "Сотрудники 51–60 из 60, самые занятые первыми" in last_lines
    assert "60. Сотрудник с очень длинным именем и фамилией номер 60 — 40 диалогов" in last_lines
    assert "61. Закрыты автоматически — 7 диалогов" in last_lines  # nobody completed them: the last page
    assert employees_text(t, "7 дней", rows, page=99).first == 51  # past the last page: the last


def test_channels_that_went_quiet_come_last_without_a_number() -> None:
    rows = [ChannelStats("whatsapp", 30, 20), ChannelStats("telegram", 10, 10), ChannelStats("viber", 0, 4)]
    t = texts_for("ru")
    compared = compared_with(t, Span(date(2026, 11, 12), date(2026, 11, 18)), date(2026, 11, 26), 2026)
    text, shown = channels_text(t, "7 дней", compared, rows)
    assert shown == 2
    lines = visible(text).split("\n")
    assert "Всего: 40 · ▲ 18% (было 34)" in lines and "Сравнение с 12.11–18.11" in lines
    assert "1. 🟢 WhatsApp" in lines and "2. ✈️ Telegram" in lines and "🟣 Viber" in lines
    assert "30 (75%) · ▲ 50% (было 20)" in lines
    assert "10 (25%) · без изменений" in lines
    assert "0 (0%) · ▼ 100% (было 4)" in lines


def test_a_manager_learns_no_hidden_digit_by_reading() -> None:
    """Numbers hide in names (CRMs name unknown contacts by their number), in authors, in full-width
    digits and in odd spellings: a manager reads none of their hidden digits; a head reads them all."""
    named = row(name="Иван +79162000002")
    listed = visible(list_text([named], full_phones=False))
    assert "2000" not in listed and "Иван +7 916 ***-**-02" in listed
    assert "2000" in visible(list_text([named], full_phones=True))
    lines = [
        TranscriptLine(COMPLETED, "client", "+7 916 100-00-01", "Пишу с рабочего"),
        TranscriptLine(COMPLETED, "client", None, "Мой номер ＋７ ９１６ ５５５ ４４ ３３"),
        TranscriptLine(COMPLETED, "client", None, "Запасной 9 1 6 7 7 7 8 8 9 9, заказ 123456 от 20.11.2026"),
        TranscriptLine(
            COMPLETED, "client", None, "Старый: 0000 1111 2222 33"
        ),  # no number phonenumbers knows
    ]
    card = visible(card_text(named, lines, total=4, full_phones=False))
    for hidden in ("2000", "100-00", "５５５", "４４", "777", "88", "1111", "2222"):
        assert hidden not in card, hidden
    assert "+7 916 ***-**-01" in card and "+7 916 ***-**-33" in card and "+7 916 ***-**-99" in card
    assert "Старый: **** **** **** 33" in card
    assert "заказ 123456 от 20.11.2026" in card  # prices, order numbers and dates stay as they are
    head = visible(card_text(named, lines, total=4, full_phones=True))
    assert "+7 916 100-00-01" in head and "９１６ ５５５" in head

"""Keyword search inside conversations (issue 16, point 4), end to end through the emulator on an archive
of its own (SQLite, and PostgreSQL under `tests/with-servers`): `/find` and the search question's button find
the dialogs one of whose messages holds every word, by the start of a word, in any case, ё = е, within the
list's filters and a manager's scope; each entry shows the line with the words (numbers masked for a
manager) and opens the card at the part of the transcript that holds it; back returns to the results."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection

from bot.settings import Settings
from db import keywords
from db.dialogs import Filters
from db.engine import Database, run_sql
from db.importer import store_records
from db.records import DialogRecord, MessageRecord
from db.users import Role, add_user, find_employee
from db.views import ListView, store_view
from emulator import BotAPIEmulator, ChatMessage
from keyboards.callbacks import KeywordCardCallback, KeywordsCallback, ListCallback
from tests.bot_harness import (
    BASE,
    HEAD_ID,
    MANAGER_ID,
    ZONE,
    database_url,
    make_settings,
    running_bot,
    say,
    tap,
)
from tests.databases import (
    migrated_database,
    on_postgres,
    plan_for_any_values,
    prepared_plans,
    statements_sent,
)

ANNA, FEDOR = "Анна Смирнова", "Фёдор Орлов"
OWN_MANAGER_ID = 3002  # a manager linked to ANNA (with MANAGER_SCOPE=own: her dialogs alone)
PHONE_SAID = "+7 916 123-45-67"


def dialog(
    source_id: str, client: str, channel: str, by: str, hours: int, *lines: str, filler: int = 0
) -> DialogRecord:
    """A dialog completed `hours` after BASE whose transcript is `filler` greetings, then `lines`."""
    texts = [f"Добрый день, вопрос номер {n}" for n in range(1, filler + 1)] + list(lines)
    start = BASE + timedelta(hours=hours)
    messages = tuple(
        MessageRecord(
            start + timedelta(minutes=n),
            "client" if n % 2 == 1 else "employee",
            client if n % 2 == 1 else by,
            text,
        )
        for n, text in enumerate(texts)
    )
    return DialogRecord(
        source_id, client, None, channel, by, start, start + timedelta(hours=1), len(messages), messages
    )


# the 12th message of Иван's (the card's second part: messages 9–16) says it is expensive, with a number
IVAN = dialog(
    "kw-ivan",
    "Иван Петров",
    "whatsapp",
    ANNA,
    1,
    f"Это ДОРОГОВАТО для нас, позвоните {PHONE_SAID}",
    filler=11,
)
OLGA = dialog("kw-olga", "Ольга Ким", "telegram", FEDOR, 2, "Ёлка стоит дорого", "Кроссовки NIKE есть?")
PETR = dialog("kw-petr", "Пётр Сидоров", "whatsapp", FEDOR, 3, "Скидка будет?", "Доставка завтра")
VERA = dialog("kw-vera", "Вера Лебедева", "vk", ANNA, 4, "Доставка и скидка вместе")
SHOES = [
    dialog(f"kw-shoes-{n}", f"Покупатель {n}", "avito", ANNA, 10 + n, f"Хочу кроссовки, размер {n}")
    for n in range(1, 7)
]
RECORDS = [IVAN, OLGA, PETR, VERA, *SHOES]
# sixty clients more who said «да», for the tests of a word in many messages
GUESTS = [dialog(f"kw-guest-{n}", f"Гость {n}", "vk", FEDOR, 20 + n, "Да, беру") for n in range(60)]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = migrated_database(tmp_path)
    store_records(database.sync_engine, RECORDS, zone=ZONE)
    database.run(add_user, HEAD_ID, Role.HEAD, "Ольга")
    database.run(add_user, MANAGER_ID, Role.MANAGER, "Пётр")
    anna_id, _ = database.run(find_employee, ANNA)
    database.run(add_user, OWN_MANAGER_ID, Role.MANAGER, "Аннин телефон", anna_id)
    yield database
    database.sync_engine.dispose()


def own_scope(database: Database) -> Settings:
    return make_settings(database_url(database)).model_copy(update={"manager_scope": "own"})


@pytest.fixture
async def api(database: Database) -> AsyncIterator[BotAPIEmulator]:
    async with running_bot(database, make_settings(database_url(database))) as emulator:
        yield emulator


def source_dialog(connection: Connection, source_id: str) -> int:
    sql = "SELECT id FROM dialogs WHERE source_id = :s"
    return int(run_sql(connection, sql, {"s": source_id}).fetchone()[0])


def clients(screen: ChatMessage) -> list[str]:
    """The clients of the results' entries, in order (`<number>. <client> · <channel>` lines)."""
    found = []
    for block in screen.content.split("\n\n")[1:]:
        head = block.split("\n")[0]
        number, _, rest = head.partition(". ")
        if number.isdigit():
            found.append(rest.split(" · ")[0])
    return found


async def test_a_word_is_found_by_its_start_in_any_case_and_yo_as_ye(api: BotAPIEmulator) -> None:
    head = api.user(HEAD_ID)
    found = (await say(head, "/find дорог")).message
    assert "💬 В переписке: «дорог»" in found.content
    assert "Найдено: 2 диалога · стр. 1 из 1" in found.content and "Сначала новые" in found.content
    assert clients(found) == ["Ольга Ким", "Иван Петров"]  # newest first
    # the matching line, who wrote it: the head sees the number in full
    assert f"👤 Иван Петров: Это ДОРОГОВАТО для нас, позвоните {PHONE_SAID}" in found.content
    for typed in ("ЁЛКА", "елк", "ёлка"):
        assert clients((await say(head, f"/find {typed}")).message) == ["Ольга Ким"], typed
    assert clients((await say(head, "/find nike")).message) == ["Ольга Ким"]  # Latin, any case


async def test_every_word_must_be_in_one_message(api: BotAPIEmulator) -> None:
    head = api.user(HEAD_ID)
    found = (await say(head, "/find скидка доставка")).message
    assert clients(found) == ["Вера Лебедева"]  # Пётр's are in two messages
    assert clients((await say(head, "/find скид буд")).message) == ["Пётр Сидоров"]


async def test_nothing_found_and_no_words_at_all(api: BotAPIEmulator) -> None:
    head = api.user(HEAD_ID)
    nothing = (await say(head, "/find бегемот")).message
    assert "Ни в одной переписке нет сообщения со всеми этими словами" in nothing.content
    for typed in ("!!! ???", '"* ( ) ^ :', "-- ;"):
        refused = (await say(head, f"/find {typed}")).text
        assert refused.startswith("В запросе нет ни одного слова"), typed
    # FTS syntax is plain text: quotes and operators around a word find the word
    assert clients((await say(head, '/find "ёлка*" (')).message) == ["Ольга Ким"]


async def test_find_alone_asks_and_the_answer_takes_the_questions_place(api: BotAPIEmulator) -> None:
    head = api.user(HEAD_ID)
    question = (await say(head, "/find")).message
    assert "Напишите слова, которые нужно найти в переписке" in question.content
    assert (await say(head, "...")).text.startswith("В запросе нет ни одного слова")  # asked again
    answered = await say(head, "кроссовки")
    results = answered.edited[-1]
    assert results.message_id == question.message_id
    assert "Найдено: 7 диалогов · стр. 1 из 2" in results.content


async def test_results_page_forward_and_back(api: BotAPIEmulator) -> None:
    head = api.user(HEAD_ID)
    first = (await say(head, "/find кроссовки")).message
    assert clients(first) == [f"Покупатель {n}" for n in (6, 5, 4, 3, 2)]
    second = (await tap(head, first, "▶")).message
    assert "стр. 2 из 2" in second.content
    assert clients(second) == ["Покупатель 1", "Ольга Ким"]
    assert [label for label in second.button_texts() if label.isdigit()] == ["6", "7"]
    again = (await tap(head, second, "◀")).message
    assert clients(again) == clients(first) and "стр. 1 из 2" in again.content


async def test_the_card_opens_at_the_message_and_back_returns_to_the_results(api: BotAPIEmulator) -> None:
    head = api.user(HEAD_ID)
    found = (await say(head, "/find дорог")).message
    results = found.content
    card = (await tap(head, found, "2")).message  # Иван: the words are his 12th message
    assert "Иван Петров" in card.content and "Переписка: 9–12 из 12" in card.content
    assert "ДОРОГОВАТО" in card.content and "вопрос номер 1\n" not in card.content
    earlier = (await tap(head, card, "◀ Раньше")).message  # the card's own pages still turn
    assert "Переписка: 1–8 из 12" in earlier.content
    back = (await tap(head, earlier, "⬅ К списку")).message
    assert back.content == results


async def test_search_button_then_words_within_a_channel_filter(
    api: BotAPIEmulator, database: Database
) -> None:
    head = api.user(HEAD_ID)
    view_id = database.run(store_view, ListView(channel="whatsapp")).id
    shown = (await say(head, "/dialogs")).message
    await head.press_data(shown, ListCallback(view_id=view_id).pack())
    listed = (await head.wait_answer()).message
    question = (await tap(head, listed, "🔎 Поиск")).message
    asked = (await tap(head, question, "💬 Искать слова в переписке")).message
    assert "Ищу среди диалогов с фильтрами" in asked.content
    found = (await say(head, "дорог")).edited[-1]
    assert clients(found) == ["Иван Петров"]  # Ольга's «дорого» is in Telegram
    back = (await tap(head, found, "⬅ Назад")).message  # to the filtered list
    assert "WhatsApp" in back.content.split("\n")[1]


async def test_a_manager_sees_the_line_masked(api: BotAPIEmulator) -> None:
    manager = api.user(MANAGER_ID)
    found = (await say(manager, "/find дороговато")).message
    assert clients(found) == ["Иван Петров"]
    assert "123-45-67" not in found.content and "+7 916 ***-**-67" in found.content
    card = (await tap(manager, found, "1")).message
    assert "123-45-67" not in card.content and "ДОРОГОВАТО" in card.content


async def test_a_linked_manager_finds_in_their_own_dialogs_alone(database: Database) -> None:
    async with running_bot(database, own_scope(database)) as api:
        manager = api.user(OWN_MANAGER_ID)
        found = (await say(manager, "/find дорог")).message
        assert clients(found) == ["Иван Петров"] and "Ольга Ким" not in found.content
        assert "Кроссовки" not in (await say(manager, "/find nike")).text
        # a forged card of another's dialog from the results: nothing of it shown
        olga_id = database.run(source_dialog, "kw-olga")
        forged = KeywordCardCallback(dialog=olga_id, view_id=1).pack()
        await manager.press_data(found, forged)
        answer = await manager.wait_answer()
        assert all("Ольга Ким" not in message.content for message in answer.edited + answer.sent)
        assert (
            answer.callback_answer.text if answer.callback_answer else ""
        ) == "Этот диалог больше не найден."
        # the results it was pressed on, shown again: "message is not modified", absorbed
        assert all("message is not modified" in v.description for v in api.take_violations())


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's statistics of the words' index")
async def test_postgresql_takes_a_word_its_statistics_put_in_many_messages_for_many_without_counting(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL reads the whole list of the messages holding a word before it can count even a few of
    them (a common word in 1.5M messages: 34 ms). A word its statistics put in more than `FEW_MESSAGES`
    messages is therefore paged walking the dialogs, its messages not counted, and one in a message for
    every `DENSE` dialogs or more has its dialogs counted walking them, its messages not sampled; the
    person sees what counting would have shown."""
    # «да», a word of two letters, is matched whole (a prefix is estimated from more words than these)
    store_records(database.sync_engine, GUESTS, zone=ZONE)
    database.run(run_sql, "ANALYZE messages")  # «да»: in 60 of 83 messages, of 60 of 70 dialogs
    monkeypatch.setattr(keywords, "FEW_MESSAGES", 5)
    async with running_bot(database, make_settings(database_url(database))) as api:
        sent = statements_sent(monkeypatch)
        found = (await say(api.user(HEAD_ID), "/find да")).message
    assert clients(found)[:2] == ["Гость 59", "Гость 58"]
    assert "Найдено: 60 диалогов · стр. 1 из" in found.content
    counted = [sql for sql in sent if "LIMIT 6" in sql or f"LIMIT {keywords.SAMPLED}" in sql]
    assert sent and counted == [], counted


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's plans of prepared statements")
async def test_postgresql_keeps_walking_the_dialogs_for_any_words_it_plans_once(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page of a word in many messages walks the dialogs newest first, testing each. After five
    searches PostgreSQL keeps one plan for any words, made without knowing how many messages hold them; that
    plan must still test each dialog walked, not join every message holding the words to every dialog
    (a word in 1 % of 15M messages: 144 ms a page instead of 16)."""
    store_records(database.sync_engine, GUESTS, zone=ZONE)
    database.run(run_sql, "ANALYZE")
    monkeypatch.setattr(keywords, "FEW_MESSAGES", 0)  # every word is many: its page is walked
    for word in ("да", "беру", "добрый", "день", "да", "беру", "вопрос"):
        page = await database.read(keywords.find_page, [word], Filters(), 3)
        assert page.hits, word

    walks = await database.read(prepared_plans, like="%EXISTS (SELECT 1 FROM messages k%")
    ((statement, _, parameters),) = walks
    plan = database.run(plan_for_any_values, statement, parameters)
    assert "Index Scan Backward using ix_dialogs_completed_at on dialogs d" in plan, plan
    assert "SubPlan" in plan and "Semi Join" not in plan and "Hash" not in plan, plan


async def test_a_forged_results_button_is_refused_politely(api: BotAPIEmulator) -> None:
    head = api.user(HEAD_ID)
    found = (await say(head, "/find дорог")).message
    await head.press_data(found, KeywordsCallback(search=999_999).pack())
    answer = await head.wait_answer()
    assert answer.callback_answer is not None and answer.callback_answer.show_alert
    assert answer.callback_answer.text == "Этот поиск больше недоступен. Начните новый: /find"
    assert answer.edited == [] and answer.sent == []


async def test_a_transcript_imported_again_is_found_by_its_new_words_alone(database: Database) -> None:
    """Ольга's transcript, and the last one stored (whose new messages take the ids its old ones had: an
    index that kept the old words would find them in the new messages)."""

    def saying(record: DialogRecord, text: str) -> DialogRecord:
        return replace(record, messages=tuple(replace(line, text=text) for line in record.messages or ()))

    last = SHOES[-1]
    store_records(
        database.sync_engine,
        [saying(OLGA, "Сосна стоит дёшево"), saying(last, "Сосна тоже нужна")],
        zone=ZONE,
    )
    async with running_bot(database, make_settings(database_url(database))) as api:
        head = api.user(HEAD_ID)
        assert "Ни в одной переписке нет" in (await say(head, "/find ёлка")).text
        assert clients((await say(head, "/find дорог")).message) == ["Иван Петров"]
        assert clients((await say(head, "/find сосна дешев")).message) == ["Ольга Ким"]
        assert clients((await say(head, "/find сосна")).message) == ["Покупатель 6", "Ольга Ким"]
        shoes = (await say(head, "/find кроссовки")).message
        assert "Найдено: 5 диалогов · стр. 1 из 1" in shoes.content
        assert clients(shoes) == [f"Покупатель {n}" for n in (5, 4, 3, 2, 1)]


async def test_cancel_leaves_the_question_for_the_list_it_was_asked_from(
    api: BotAPIEmulator, database: Database
) -> None:
    head = api.user(HEAD_ID)
    view_id = database.run(store_view, ListView(channel="whatsapp")).id
    shown = (await say(head, "/dialogs")).message
    await head.press_data(shown, ListCallback(view_id=view_id).pack())
    listed = (await head.wait_answer()).message
    question = (await tap(head, listed, "🔎 Поиск")).message
    await tap(head, question, "💬 Искать слова в переписке")
    cancelled = (await say(head, "/cancel")).message
    assert cancelled.content.startswith("Поиск слов в переписке отменён.")
    assert "WhatsApp" in cancelled.content  # the filtered list again
    # and text is a plain search again, not words
    assert "💬 В переписке" not in (await say(head, "дорог")).text


async def test_a_card_marked_and_commented_from_the_results_still_returns_to_them(
    api: BotAPIEmulator,
) -> None:
    head = api.user(HEAD_ID)
    found = (await say(head, "/find дорог")).message
    results = found.content
    card = (await tap(head, found, "2")).message
    marked = (await tap(head, card, "⭐4")).message
    assert "Оценка: 4/5" in marked.content and "Переписка: 9–12 из 12" in marked.content
    asked = (await tap(head, marked, "💬 Добавить комментарий к оценке")).message
    commented = (await say(head, "Дорого — предложить рассрочку")).edited[-1]
    assert commented.message_id == asked.message_id and "рассрочку" in commented.content
    back = (await tap(head, commented, "⬅ К списку")).message
    assert back.content == results

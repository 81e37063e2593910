"""Review marks (issue 16, point 1), end to end through the emulator on the archive of `tests.bot_harness`
(SQLite, and PostgreSQL under `tests/with-servers`): a head marks a card 1–5 and types a comment to the
mark; the card shows who marked it and when; every mark and comment is in the audit log; a manager sees the
mark and cannot give one; the list's review filters, the exports and the analytics count the marks."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

import openpyxl
import pytest

from db.engine import Database, run_sql
from db.importer import store_records
from db.reviews import comment_review, mark_dialog
from emulator import BotAPIEmulator, ChatMessage, SimulatedUser
from keyboards.callbacks import FilterCallback, FilterKind, ReviewCallback
from tests.bot_harness import (
    DATASET,
    HEAD_ID,
    MANAGER_ID,
    ZONE,
    database_url,
    dialogs_ru,
    expected_entry,
    make_settings,
    parse_list,
    running_bot,
    say,
    seeded_archive,
    tap,
)
from tests.test_exports import export

NEWEST = max(DATASET, key=lambda record: record.completed_at)


@pytest.fixture
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = seeded_archive(tmp_path_factory.mktemp("marks"))
    yield database
    database.sync_engine.dispose()


@pytest.fixture
async def api(database: Database) -> AsyncIterator[BotAPIEmulator]:
    async with running_bot(database, make_settings(database_url(database))) as emulator:
        yield emulator


def rows(database: Database, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return database.run(lambda connection: [tuple(row) for row in run_sql(connection, sql, params)])


def dialog_id(database: Database, source_id: str) -> int:
    [(found,)] = rows(database, "SELECT id FROM dialogs WHERE source_id = :s", s=source_id)
    return int(found)


async def newest_card(api: BotAPIEmulator, user_id: int) -> ChatMessage:
    """The card of the newest dialog, opened from the list's first entry."""
    user = api.user(user_id)
    listed = (await say(user, "/dialogs")).message
    return (await tap(user, listed, "1")).message


def last_answer(api: BotAPIEmulator, user_id: int) -> str:
    return api.user(user_id).callback_answers[-1].text or ""


async def test_a_head_marks_a_card_4_then_2_and_the_card_shows_who_and_when(
    api: BotAPIEmulator, database: Database
) -> None:
    head = api.user(HEAD_ID)
    card = await newest_card(api, HEAD_ID)
    assert "Оценка" not in card.content
    assert card.button_rows()[-2] == ["⭐1", "⭐2", "⭐3", "⭐4", "⭐5"]
    before = datetime.now(ZONE)
    marked = (await tap(head, card, "⭐4")).message
    when = before.strftime("%d.%m %H:")
    assert f"⭐ Оценка: 4/5 — Ольга, {when}" in marked.content
    assert "✅4" in marked.button_texts() and "💬 Добавить комментарий к оценке" in marked.button_texts()
    assert last_answer(api, HEAD_ID) == "Оценка 4/5 сохранена."
    marked = (await tap(head, marked, "⭐2")).message
    assert "⭐ Оценка: 2/5 — Ольга" in marked.content and "4/5" not in marked.content
    assert "✅2" in marked.button_texts() and "⭐4" in marked.button_texts()
    dialog = dialog_id(database, NEWEST.source_id)
    assert rows(database, "SELECT dialog_id, mark, reviewer_id, comment FROM review_marks") == [
        (dialog, 2, HEAD_ID, None)
    ]
    audited = rows(
        database,
        "SELECT telegram_id, action, dialog_id, detail FROM audit_log"
        " WHERE action LIKE 'review%' ORDER BY id",
    )
    assert audited == [(HEAD_ID, "review_mark", dialog, "4"), (HEAD_ID, "review_mark", dialog, "2")]
    # the mark stays when the card is opened again, and after the list
    again = (await tap(head, (await say(head, "/dialogs")).message, "1")).message
    assert "⭐ Оценка: 2/5 — Ольга" in again.content


async def test_a_comment_is_typed_shown_escaped_changed_and_cancelled(
    api: BotAPIEmulator, database: Database
) -> None:
    head = api.user(HEAD_ID)
    card = (await tap(head, await newest_card(api, HEAD_ID), "⭐5")).message
    prompt = (await tap(head, card, "💬 Добавить комментарий к оценке")).message
    assert prompt.message_id == card.message_id and "Напишите короткий комментарий" in prompt.content
    typed = '<b>Дорого</b> & "скидка" — не предложил'
    shown = (await say(head, typed)).message
    assert shown.message_id == card.message_id  # the question turned back into the card
    assert "💬 Комментарий к оценке сохранён." in shown.content
    assert f"💬 Комментарий: {typed}" in shown.content  # shown as typed …
    assert "&lt;b&gt;Дорого&lt;/b&gt; &amp; " in (shown.source or "")  # … because it was escaped
    assert "💬 Изменить комментарий" in shown.button_texts()
    dialog = dialog_id(database, NEWEST.source_id)
    assert rows(database, "SELECT mark, comment FROM review_marks") == [(5, typed)]
    # too long: asked again, nothing kept; then /cancel leaves the comment as it was
    await tap(head, shown, "💬 Изменить комментарий")
    too_long = await say(head, "а" * 501)
    assert "501 символов, а можно до 500" in too_long.message.content
    cancelled = (await say(head, "/cancel")).message
    assert "Комментарий не изменён." in cancelled.content and f"💬 Комментарий: {typed}" in cancelled.content
    assert rows(database, "SELECT mark, comment FROM review_marks") == [(5, typed)]
    # after /cancel, text is a search again, not a comment
    await say(head, "семен")
    assert rows(database, "SELECT comment FROM review_marks") == [(typed,)]
    audited = rows(
        database, "SELECT action, dialog_id, detail FROM audit_log WHERE action LIKE 'review%' ORDER BY id"
    )
    assert audited == [("review_mark", dialog, "5"), ("review_comment", dialog, typed)]
    assert api.take_violations() == []


async def test_a_comment_is_removed_from_its_question_and_the_removal_audited(
    api: BotAPIEmulator, database: Database
) -> None:
    head = api.user(HEAD_ID)
    card = (await tap(head, await newest_card(api, HEAD_ID), "⭐3")).message
    prompt = (await tap(head, card, "💬 Добавить комментарий к оценке")).message
    assert "🗑 Удалить комментарий" not in prompt.button_texts()  # nothing to remove yet
    commented = (await say(head, "вежливо, но без итога")).message
    prompt = (await tap(head, commented, "💬 Изменить комментарий")).message
    removed = (await tap(head, prompt, "🗑 Удалить комментарий")).message
    assert removed.message_id == card.message_id and last_answer(api, HEAD_ID) == "Комментарий удалён."
    assert "⭐ Оценка: 3/5" in removed.content and "💬 Комментарий:" not in removed.content
    assert "💬 Добавить комментарий к оценке" in removed.button_texts()
    assert rows(database, "SELECT mark, comment FROM review_marks") == [(3, None)]
    audited = rows(
        database, "SELECT action, detail FROM audit_log WHERE action = :a ORDER BY id", a="review_comment"
    )
    assert audited == [("review_comment", "вежливо, но без итога"), ("review_comment", None)]
    assert api.take_violations() == []
    searched = (await say(head, "семен")).message  # the question ended with the removal
    assert "🔎 «семен»" in searched.content


async def test_a_comment_asked_for_and_left_by_another_button_is_not_written_with_the_next_search(
    api: BotAPIEmulator, database: Database
) -> None:
    """The comment's question ends when the head goes elsewhere by a button: what they type next is the
    search it looks like, never a comment written under a mark they no longer see."""
    head = api.user(HEAD_ID)
    card = (await tap(head, await newest_card(api, HEAD_ID), "⭐4")).message
    await tap(head, card, "💬 Добавить комментарий к оценке")
    listed = (await say(head, "/dialogs")).message  # a new list, its page turned: the question is left
    await tap(head, listed, "▶")
    searched = (await say(head, "семен")).message
    assert "🔎 «семен»" in searched.content, searched.content
    assert rows(database, "SELECT mark, comment FROM review_marks") == [(4, None)]
    assert api.take_violations() == []


async def test_a_manager_sees_the_mark_and_cannot_give_one(api: BotAPIEmulator, database: Database) -> None:
    head, manager = api.user(HEAD_ID), api.user(MANAGER_ID)
    await tap(head, await newest_card(api, HEAD_ID), "⭐3")
    card = await newest_card(api, MANAGER_ID)
    assert "⭐ Оценка: 3/5 — Ольга" in card.content
    assert not any(label.startswith(("⭐", "✅", "💬")) for label in card.button_texts())
    dialog = dialog_id(database, NEWEST.source_id)
    for mark in (1, 0):  # a forged mark, a forged comment question
        await manager.press_data(card, ReviewCallback(dialog=dialog, mark=mark).pack())
        await manager.wait_answer()
        assert last_answer(api, MANAGER_ID) == "Оценивать диалоги могут руководители и администраторы."
    assert rows(database, "SELECT mark, reviewer_id FROM review_marks") == [(3, HEAD_ID)]
    assert rows(database, "SELECT count(*) FROM audit_log WHERE action LIKE 'review%'") == [(1,)]


async def test_a_forged_mark_of_a_missing_dialog_is_refused_politely(
    api: BotAPIEmulator, database: Database
) -> None:
    head = api.user(HEAD_ID)
    card = await newest_card(api, HEAD_ID)
    await head.press_data(card, ReviewCallback(dialog=999_999, mark=5).pack())
    shown = (await head.wait_answer()).message
    assert last_answer(api, HEAD_ID) == "Этот диалог больше не найден."
    assert "Найдено" in shown.content or "Список диалогов" in shown.content
    assert rows(database, "SELECT count(*) FROM review_marks") == [(0,)]
    assert rows(database, "SELECT count(*) FROM audit_log WHERE action LIKE 'review%'") == [(0,)]


async def test_an_import_of_the_same_dialog_again_keeps_its_mark(
    api: BotAPIEmulator, database: Database
) -> None:
    head = api.user(HEAD_ID)
    await tap(head, await newest_card(api, HEAD_ID), "⭐1")
    changed = replace(NEWEST, message_count=NEWEST.message_count + 1, client_name="Семён Иванович")
    assert store_records(database.sync_engine, [changed], zone=ZONE) == 1
    assert rows(database, "SELECT count(*) FROM dialogs") == [(len(DATASET),)]  # updated, not added
    card = await newest_card(api, HEAD_ID)
    assert "Семён Иванович" in card.content and "⭐ Оценка: 1/5 — Ольга" in card.content


MARKED = {"crm-01": 1, "crm-06": 2, "crm-07": 5}  # Семён (WhatsApp), Oliver (Instagram), Айгерим (WhatsApp)


def mark_some(database: Database) -> None:
    for source_id, mark in MARKED.items():
        database.run(mark_dialog, dialog_id(database, source_id), mark, HEAD_ID, None)


async def review_filter(user: SimulatedUser, listed: ChatMessage, choice: str) -> None:
    """⚙️ Фильтры → ⭐ Оценка: … → `choice`, back on the filters screen."""
    await tap(user, listed, "⚙️ Фильтры")
    await tap(user, listed, next(label for label in listed.button_texts() if label.startswith("⭐ Оценка")))
    await tap(user, listed, choice)


async def all_clients(user: SimulatedUser, message: ChatMessage) -> list[str]:
    clients = [entry.client for entry in parse_list(message.content).entries]
    while message.find_button("▶") is not None:
        await tap(user, message, "▶")
        clients += [entry.client for entry in parse_list(message.content).entries]
    return clients


def client_of(source_id: str) -> str:
    record = next(record for record in DATASET if record.source_id == source_id)
    return expected_entry(record, 1, full_phones=True).client


async def test_the_review_filters_list_exactly_the_marked_or_unmarked(
    api: BotAPIEmulator, database: Database
) -> None:
    mark_some(database)
    head = api.user(HEAD_ID)
    listed = (await say(head, "/dialogs")).message
    await review_filter(head, listed, "оценка ≤ 2")
    assert "Найдено: 2 диалога" in listed.content and "⭐ Оценка: оценка ≤ 2" in listed.button_texts()
    await tap(head, listed, "✅ Показать 2 диалога")
    low = parse_list(listed.content)
    assert low.found == 2 and "⭐ оценка ≤ 2" in listed.content
    assert sorted(entry.client for entry in low.entries) == sorted(client_of(s) for s in ("crm-01", "crm-06"))
    # with a channel too: the channel's counts are not offered (the statistics know nothing of marks)
    await tap(head, listed, "⚙️ Фильтры")
    await tap(head, listed, "📡 Канал: Все каналы")
    assert "🟢 WhatsApp" in listed.button_texts()
    await tap(head, listed, "🟢 WhatsApp")
    assert "Найдено: 1 диалог" in listed.content
    await tap(head, listed, "⭐ Оценка: оценка ≤ 2")
    await tap(head, listed, "без оценки")
    whatsapp = [record for record in DATASET if record.channel == "whatsapp"]
    unmarked_whatsapp = [record for record in whatsapp if record.source_id not in MARKED]
    assert f"Найдено: {dialogs_ru(len(unmarked_whatsapp))}" in listed.content
    # «без оценки» alone, every page of it
    listed = (await say(head, "/dialogs")).message
    await review_filter(head, listed, "без оценки")
    unmarked = [record for record in DATASET if record.source_id not in MARKED]
    await tap(head, listed, f"✅ Показать {dialogs_ru(len(unmarked))}")
    assert parse_list(listed.content).found == len(unmarked) == 20
    assert sorted(await all_clients(head, listed)) == sorted(client_of(r.source_id) for r in unmarked)
    # the same view with a search: Семён's dialogs without a mark (crm-02, not crm-01)
    await tap(head, listed, "🔎 Поиск")
    listed = (await say(head, "семен")).message
    assert parse_list(listed.content).found == 1 and "⭐ без оценки" in listed.content
    # a new mark moves a dialog out of «без оценки» at once (no total kept from before)
    database.run(mark_dialog, dialog_id(database, "crm-02"), 4, HEAD_ID, None)
    await tap(head, listed, "✖ Сбросить поиск")
    assert parse_list(listed.content).found == len(unmarked) - 1
    # a manager is not offered the review filter
    manager = api.user(MANAGER_ID)
    theirs = (await say(manager, "/dialogs")).message
    await tap(manager, theirs, "⚙️ Фильтры")
    assert not any(label.startswith("⭐") for label in theirs.button_texts())
    theirs = (await say(manager, "/dialogs")).message
    await manager.press_data(theirs, FilterCallback(kind=FilterKind.REVIEW).pack())  # forged: the filters
    assert not any(label.startswith("⭐") for label in (await manager.wait_answer()).message.button_texts())


async def test_the_export_has_the_mark_and_its_comment_as_text(
    api: BotAPIEmulator, database: Database
) -> None:
    mark_some(database)
    database.run(comment_review, dialog_id(database, "crm-06"), '=HYPERLINK("http://x")', HEAD_ID)
    head = api.user(HEAD_ID)
    listed = (await say(head, "/dialogs")).message
    sent = await export(head, listed, "⬇ CSV")
    table = list(csv.reader(io.StringIO(sent.data.decode("utf-8-sig")), delimiter=";"))
    assert table[0][-2:] == ["Оценка", "Комментарий к оценке"]
    by_source = {row[0]: row[-2:] for row in table[1:]}
    assert by_source["crm-01"] == ["1", ""] and by_source["crm-07"] == ["5", ""]
    assert by_source["crm-06"] == ["2", '\'=HYPERLINK("http://x")']  # text, never a formula
    assert by_source["crm-02"] == ["", ""]
    sent = await export(head, listed, "⬇ Excel")
    sheet = openpyxl.load_workbook(io.BytesIO(sent.data)).active
    assert sheet is not None
    cells = {row[0]: row[-2:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells["crm-01"] == (1, None) and cells["crm-06"] == (2, '=HYPERLINK("http://x")')
    assert sheet.cell(row=1, column=12).value == "Комментарий к оценке"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


async def test_the_analytics_sum_up_the_quality_per_employee(api: BotAPIEmulator, database: Database) -> None:
    mark_some(database)  # Анна: crm-01 (1) and crm-06 (2); Борис Ким: crm-07 (5); all on the 20th
    head = api.user(HEAD_ID)
    await say(head, "/start")
    menu = head.last_message
    for label in ("Отдел продаж", "Для руководителя", "Аналитика", "✏️ Свои даты"):
        await tap(head, menu, label)
    shown = (await say(head, "20.11.2026–21.11.2026")).message
    screen = shown.content
    blocks = {block.split("\n")[0]: block for block in screen.split("\n\n")}
    anna = next(block for title, block in blocks.items() if "Анна Смирнова" in title)
    boris = next(block for title, block in blocks.items() if "Борис Ким" in title)
    fedor = next(block for title, block in blocks.items() if "Фёдор Орлов" in title)
    assert "⭐ Качество: проверено 2, средняя оценка 1,5" in anna
    assert "⭐ Качество: проверено 1, средняя оценка 5,0" in boris
    assert "Качество" not in fedor
    # a period without those dialogs: no quality line
    assert "Качество" not in (await tap(head, shown, "Сегодня")).message.content

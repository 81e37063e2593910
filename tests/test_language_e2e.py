"""The language the bot speaks, chosen by the person (issue 15, point 1), through the emulator, asserting on
what the person sees: /language and 🌐 Язык / Language in the main menu, the choice kept in the archive
(after a restart too) and winning over the Telegram app's language; without a choice, as before."""

from __future__ import annotations

import asyncio
from pathlib import Path

from db.engine import Database
from emulator import ChatMessage, SimulatedUser
from tests.bot_harness import (
    ADMIN_ID,
    DATASET,
    HEAD_ID,
    MANAGER_ID,
    database_url,
    make_settings,
    parse_list,
    running_bot,
    say,
    seeded_archive,
    tap,
)
from tests.databases import WritesHeld

ENTRY = "🌐 Язык / Language"  # the menu's entry, the same in both languages: found whatever the bot speaks
MENU_RU = ["Отдел продаж", ENTRY]
MENU_EN = ["Sales department", ENTRY]
SCREEN_RU = "🌐 Язык\nВыберите язык, на котором бот будет с вами говорить. Язык Telegram на это не влияет."
SCREEN_EN = (
    "🌐 Language\nChoose the language the bot speaks to you in. The language of your Telegram app does not "
    "change it."
)
RUSSIAN_CHOSEN = [["✓ Русский"], ["English"], ["⬅ Назад"]]
ENGLISH_CHOSEN = [["Русский"], ["✓ English"], ["⬅ Back"]]


async def start(user: SimulatedUser) -> ChatMessage:
    """/start: the greeting, then the main menu, which is returned."""
    return (await say(user, "/start")).message


def answered(user: SimulatedUser) -> str | None:
    """What the last button's answer said."""
    return user.callback_answers[-1].text if user.callback_answers else None


async def test_a_head_with_an_english_phone_chooses_russian_and_keeps_it_after_a_restart(
    seeded: Database,
) -> None:
    settings = make_settings(database_url(seeded))
    async with running_bot(seeded, settings) as api:
        head = api.user(HEAD_ID, first_name="Olga", language_code="en")
        menu = await start(head)
        assert menu.content.startswith("Main menu")
        assert menu.button_texts() == MENU_EN

        reaction = await tap(head, menu, ENTRY)
        assert reaction.sent == [] and reaction.edited == [menu], "the menu turns into the choice, in place"
        assert menu.content == SCREEN_EN
        assert menu.button_rows() == ENGLISH_CHOSEN

        await tap(head, menu, "Русский")  # one tap: the screen is Russian at once
        assert menu.content == SCREEN_RU
        assert menu.button_rows() == RUSSIAN_CHOSEN
        assert answered(head) == "Готово: бот говорит по-русски."

        await tap(head, menu, "⬅ Назад")
        assert menu.content.startswith("Главное меню") and menu.button_texts() == MENU_RU
        await tap(head, menu, "Отдел продаж")
        assert menu.content.split("\n")[0] == "Отдел продаж"
        assert "Для руководителя" in menu.button_texts()
        listing = (await say(head, "/dialogs")).message
        assert parse_list(listing.content).found == len(DATASET)
        assert f"Найдено: {len(DATASET)} диалога" in listing.content
        assert "/language — язык бота (Русский, English)" in (await say(head, "/help")).message.content

    async with running_bot(seeded, settings) as api:  # a restart: the choice was stored
        head = api.user(HEAD_ID, first_name="Olga", language_code="en")
        menu = await start(head)
        assert menu.content.startswith("Главное меню") and menu.button_texts() == MENU_RU
        reaction = await say(head, "/language")
        assert reaction.message is not menu and reaction.message.content == SCREEN_RU
        assert reaction.message.button_rows() == RUSSIAN_CHOSEN


async def test_choosing_english_back(seeded: Database) -> None:
    async with running_bot(seeded, make_settings(database_url(seeded))) as api:
        head = api.user(HEAD_ID, language_code="en")
        choice = (await say(head, "/language")).message
        await tap(head, choice, "Русский")
        assert (await start(head)).button_texts() == MENU_RU

        choice = (await say(head, "/language")).message
        assert choice.button_rows() == RUSSIAN_CHOSEN
        await tap(head, choice, "English")
        assert choice.content == SCREEN_EN and choice.button_rows() == ENGLISH_CHOSEN
        assert answered(head) == "Done: the bot now speaks English."
        await tap(head, choice, "⬅ Back")
        assert choice.content.startswith("Main menu") and choice.button_texts() == MENU_EN
        listing = (await say(head, "/dialogs")).message
        assert f"Found: {len(DATASET)} dialogs" in listing.content

        # a manager whose Telegram is Russian, and an admin of ADMIN_IDS (no row among the users), choose
        # English the same way
        for person in (api.user(MANAGER_ID, language_code="ru"), api.user(ADMIN_ID, language_code="ru")):
            menu = await start(person)
            assert menu.button_texts()[-1] == ENTRY
            await tap(person, menu, ENTRY)
            assert menu.button_rows() == RUSSIAN_CHOSEN
            await tap(person, menu, "English")
            assert menu.content == SCREEN_EN
            assert (await start(person)).content.startswith("Main menu")


async def test_without_a_choice_russian_is_the_default_and_english_telegram_gets_english(
    seeded: Database,
) -> None:
    async with running_bot(seeded, make_settings(database_url(seeded))) as api:
        person = api.user(HEAD_ID)
        for language in ("ru", "de", None):
            person.info.language_code = language  # the Telegram app's language, as the phone has it
            menu = await start(person)
            assert menu.content.startswith("Главное меню") and menu.button_texts() == MENU_RU
            await tap(person, menu, ENTRY)
            assert menu.content == SCREEN_RU and menu.button_rows() == RUSSIAN_CHOSEN
        english = api.user(MANAGER_ID, language_code="en-GB")
        menu = await start(english)
        assert menu.content.startswith("Main menu") and menu.button_texts() == MENU_EN
        await tap(english, menu, ENTRY)
        assert menu.content == SCREEN_EN and menu.button_rows() == ENGLISH_CHOSEN
        await tap(english, menu, "⬅ Back")
        assert menu.content.startswith("Main menu")


async def test_a_forged_language_is_refused_politely_and_nothing_changes(seeded: Database) -> None:
    async with running_bot(seeded, make_settings(database_url(seeded))) as api:
        head = api.user(HEAD_ID, language_code="en")
        choice = (await say(head, "/language")).message
        for forged in ("g:3", "g:99"):  # numbers no language has (the factory takes up to 99)
            await head.press_data(choice, forged)
            reaction = await head.wait_answer()
            answer = reaction.callback_answer
            assert answer is not None and answer.show_alert
            assert answer.text == "The bot has no such language. Choose one from the list."
            assert reaction.sent == [] and reaction.edited == []
            assert choice.content == SCREEN_EN and choice.button_rows() == ENGLISH_CHOSEN
        assert (await start(head)).button_texts() == MENU_EN
    language = seeded.run(
        lambda connection: connection.exec_driver_sql("SELECT count(*) FROM user_languages").scalar()
    )
    assert language == 0, "nothing was stored"


async def test_a_failure_is_told_in_the_language_chosen(tmp_path: Path) -> None:
    """The error handler, which sees the update alone, speaks the chosen language too: here a choice that
    waits too long for an import."""
    seeded = await asyncio.to_thread(seeded_archive, tmp_path)
    seeded.sync_engine.dispose()
    database = Database(database_url(seeded), busy_timeout_ms=200)  # waits a fifth of a second for a writer
    try:
        async with running_bot(database, make_settings(database_url(database))) as api:
            head = api.user(HEAD_ID, language_code="en")
            choice = (await say(head, "/language")).message
            await tap(head, choice, "Русский")
            importer = WritesHeld(database_url(seeded), "user_languages")  # as an import holds them
            try:
                reaction = await tap(head, choice, "English")
            finally:
                importer.release()
            answer = reaction.callback_answer
            assert answer is not None and answer.text == "Архив сейчас обновляется, попробуйте через минуту."
            assert choice.content == SCREEN_RU and choice.button_rows() == RUSSIAN_CHOSEN
            assert (await start(head)).button_texts() == MENU_RU
    finally:
        database.sync_engine.dispose()

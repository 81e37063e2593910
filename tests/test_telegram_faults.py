"""Taps that survive Telegram's faults: each fault the emulator can play (a flood wait, a 5xx, a proxy's
HTML page, a connection dropped before or after the request was carried out, a request that hangs) on
each request of a tap, and then the screen the person asked for arrives; what cannot be mended is said in
words the person can act on; bursts are paced under Telegram's limits; polling waits as long as Telegram
asks; and a SIGTERM in the middle of a burst of taps leaves no tap it took unanswered.

Everything through the real dispatcher and the bot's own session, over HTTP, against the emulator."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_dispatcher, run_service
from bot.runtime import JsonSession, Pace, Pacer
from bot.settings import Settings
from db.engine import Database
from emulator import DEFAULT_TOKEN, BotAPIEmulator, Errors, FloodLimits, SimulatedUser
from tests.bot_harness import (
    ADMIN_ID,
    HEAD_ID,
    database_url,
    emulator_bot,
    make_settings,
    parse_list,
    say,
    seeded_archive,
    tap,
)

HANG_SECONDS = 3.0  # an injected hang, longer than the session waits for an answer in these tests
ANSWER_SECONDS = 0.5  # how long the session waits for a small request here (10 s when run)
RETRIES_SECONDS = 15  # room for a request's every attempt (0.25 + 1 + 3 s of backoff, ±25 %)
FAILED = "Telegram не принял ответ бота. Попробуйте ещё раз через минуту."

FAULTS: dict[str, dict[str, Any]] = {
    "429 retry_after": {"retry_after": 1},
    "500": {"error_code": 500, "description": "Internal Server Error"},
    "502 page of a proxy": {"html": True, "error_code": 502},
    "connection dropped": {"drop": True},
    "reply lost": {"lose_reply": True},
    "hang": {"hang": HANG_SECONDS},
}


@pytest.fixture
async def api(archive: Database, settings: Settings) -> AsyncIterator[BotAPIEmulator]:
    """The bot as run builds it, polling the emulator; a small request gives up after ANSWER_SECONDS."""
    async with BotAPIEmulator() as emulator:
        bot = emulator_bot(emulator)
        assert isinstance(bot.session, JsonSession)
        bot.session.answer_seconds = ANSWER_SECONDS
        bot.session.timeout = 1  # uploads
        async with emulator.run_polling(build_dispatcher(archive, settings), bot):
            yield emulator


async def open_list(user: SimulatedUser) -> Any:
    return (await say(user, "/dialogs")).message


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
async def test_a_tap_survives_a_fault_of_its_edit(api: BotAPIEmulator, fault: str) -> None:
    user = api.user(ADMIN_ID)
    message = await open_list(user)
    api.fail_next("editMessageText", **FAULTS[fault])
    reaction = await tap(user, message, "▶")
    assert parse_list(message.content).page == 2  # the screen arrived
    answer = reaction.callback_answer
    assert answer is not None and not answer.show_alert and answer.text is None
    if fault == "reply lost":  # the repeat of an edit done already hears "not modified", and lets it be
        assert [(v.method, v.description) for v in api.take_violations()] == [
            ("editMessageText", Errors.NOT_MODIFIED)
        ]


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
async def test_a_search_survives_a_fault_of_its_message(api: BotAPIEmulator, fault: str) -> None:
    user = api.user(ADMIN_ID)
    api.fail_next("sendMessage", **FAULTS[fault])
    reaction = await say(user, "Семён")
    assert reaction.sent, f"no answer to the search; the bot did: {reaction.describe()}"
    assert all(parse_list(sent.content).found == 2 for sent in reaction.sent)
    # a message whose reply was lost had been shown: the repeat shows it once more (bot.runtime says why)
    assert len(reaction.sent) == (2 if fault == "reply lost" else 1)


@pytest.mark.parametrize("fault", ["429 retry_after", "500", "502 page of a proxy", "connection dropped"])
async def test_a_button_answered_after_a_fault_shows_no_alert(api: BotAPIEmulator, fault: str) -> None:
    user = api.user(ADMIN_ID)
    message = await open_list(user)
    api.fail_next("answerCallbackQuery", **FAULTS[fault])
    reaction = await tap(user, message, "▶")
    assert parse_list(message.content).page == 2
    answer = reaction.callback_answer
    assert answer is not None and not answer.show_alert


async def test_a_button_answer_whose_reply_was_lost_counts_as_given(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = await open_list(user)
    api.fail_next("answerCallbackQuery", lose_reply=True)
    reaction = await tap(user, message, "▶")
    assert parse_list(message.content).page == 2
    assert [answer.show_alert for answer in user.callback_answers][-1:] == [False]
    assert reaction.callback_answer is not None and not reaction.callback_answer.show_alert
    # the repeat, refused as "answered already", is taken for what it means: the answer got through (and
    # no apology is attempted for a failure there was not)
    refused = api.take_violations()
    assert [(v.method, v.description) for v in refused] == [("answerCallbackQuery", Errors.QUERY_TOO_OLD)]
    assert not refused[0].params.get("show_alert") and not refused[0].params.get("text")


async def test_a_flood_wait_on_the_answer_does_not_turn_a_shown_screen_into_an_error(
    api: BotAPIEmulator,
) -> None:
    user = api.user(ADMIN_ID)
    message = await open_list(user)
    api.fail_next("answerCallbackQuery", retry_after=40)  # longer than a button's answer can wait
    await user.press(message, "▶")
    await user.api.wait_until(lambda: parse_list(message.content).page == 2, 5)
    await asyncio.sleep(0.3)
    assert parse_list(message.content).page == 2
    assert all(not answer.show_alert for answer in user.callback_answers)
    assert len(user.bot_messages) == 1  # nothing sent into the chat either


async def test_a_lasting_failure_says_what_to_do_not_that_something_went_wrong(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = await open_list(user)
    api.fail_next("editMessageText", error_code=500, description="Internal Server Error", times=10)
    api.fail_next("answerCallbackQuery", html=True, error_code=502)  # the alert's first try meets a proxy
    await user.press(message, "▶")
    reaction = await user.wait_answer(timeout=RETRIES_SECONDS)
    answer = reaction.callback_answer
    assert answer is not None and answer.show_alert and answer.text == FAILED
    assert parse_list(message.content).page == 1
    assert len(user.bot_messages) == 1


async def test_a_flood_wait_too_long_to_sit_out_is_named_on_the_button(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = await open_list(user)
    api.fail_next("editMessageText", retry_after=40)
    reaction = await tap(user, message, "▶")
    answer = reaction.callback_answer
    assert answer is not None and answer.show_alert
    assert answer.text == "Telegram просит бота подождать 40 с. Попробуйте ещё раз после этого."


async def test_no_message_goes_into_a_chat_in_a_flood_wait(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    api.fail_next("sendMessage", retry_after=40)
    reaction = await say(user, "Семён")
    assert reaction.sent == []  # an apology would only meet the same wait (and lengthen it)
    assert api.calls_of("sendMessage")[-1].error_code == 429  # and the emulator saw no flood on exit


# --- Exports ---------------------------------------------------------------------------------------------

NOT_SENT = "Не удалось отправить файл: Telegram не ответил. Нажмите ⬇ ещё раз через минуту."
TOO_LARGE = (
    "Файл получился больше 50 МБ — столько Telegram от ботов не принимает. Сузьте список поиском или"
    " фильтрами и выгрузите снова."
)
EXPORT_FAULTS: dict[str, tuple[dict[str, Any], str]] = {
    "413": ({"error_code": 413, "description": Errors.TOO_LARGE}, TOO_LARGE),
    "413 page of a proxy": ({"html": True, "error_code": 413}, TOO_LARGE),
    "flood wait too long": ({"retry_after": 40}, NOT_SENT),
    "timeout": ({"hang": HANG_SECONDS}, NOT_SENT),
    "connection dropped": ({"drop": True}, NOT_SENT),
    "500 page of a proxy, time after time": ({"html": True, "error_code": 500, "times": 2}, NOT_SENT),
}


@pytest.mark.parametrize("fault", EXPORT_FAULTS, ids=list(EXPORT_FAULTS))
async def test_an_export_that_could_not_be_sent_says_so_on_its_status(
    api: BotAPIEmulator, fault: str
) -> None:
    injected, said = EXPORT_FAULTS[fault]
    user = api.user(HEAD_ID)
    message = await open_list(user)
    api.fail_next("sendDocument", **injected)
    await user.press(message, "⬇ CSV")
    reaction = await user.wait_answer(timeout=RETRIES_SECONDS)
    assert user.documents == []
    status = user.last_message
    assert status.text == said  # not «⏳ Готовлю файл…» for good
    assert reaction.callback_answer is not None and not reaction.callback_answer.show_alert
    assert len(user.callback_answers) == 1  # answered once: Telegram refuses a second answer


async def test_an_export_waits_out_a_short_flood_wait(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    message = await open_list(user)
    api.fail_next("sendDocument", retry_after=1)
    await user.press(message, "⬇ CSV")
    await user.wait_answer(timeout=RETRIES_SECONDS)
    assert len(user.documents) == 1
    assert user.last_message.document is not None  # the status message is gone


async def test_a_conversation_file_that_could_not_be_sent_says_so(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    found = (await say(user, "Семён")).message  # his newest dialog has its conversation stored
    card = await tap(user, found, "1")
    api.fail_next("sendDocument", drop=True)
    await user.press(card.message, "📄 Переписка файлом")
    await user.wait_answer(timeout=RETRIES_SECONDS)
    assert user.documents == []
    assert user.last_message.text == NOT_SENT


# --- Pacing ----------------------------------------------------------------------------------------------


async def test_a_digest_to_many_chats_never_meets_the_overall_limit() -> None:
    """Sixty people get a message at once (a daily digest): Telegram takes about thirty a second."""
    async with BotAPIEmulator(flood=FloodLimits()) as api:
        bot = emulator_bot(api)
        people = [api.user(10_000 + number) for number in range(60)]
        await asyncio.gather(*(bot.send_message(person.id, "Итоги дня") for person in people))
        assert all(person.last_message.text == "Итоги дня" for person in people)
    # leaving checks that no request met the flood control


async def test_a_burst_into_one_chat_is_spread_and_holds_order() -> None:
    """Progress edits and messages into one chat beyond its burst go out one by one at its rate (the
    limits scaled down here, ten a second after three at once, so that the test is short)."""
    async with BotAPIEmulator(flood=FloodLimits(chat_rate=10, chat_burst=4)) as api:
        bot = emulator_bot(api)
        assert isinstance(bot.session, JsonSession)
        bot.session.pacer = Pacer(Pace(chat_rate=10, chat_burst=3))
        user = api.user(ADMIN_ID)
        status = await bot.send_message(user.id, "⏳ 0")
        edits = (
            bot.edit_message_text(f"⏳ {done}", chat_id=user.id, message_id=status.message_id)
            for done in range(1, 21)
        )
        await asyncio.gather(*edits)
        versions = [version.text for version in user.last_message.history] + [user.last_message.text]
        assert versions == [f"⏳ {done}" for done in range(21)]


# --- Polling and stopping ----------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def running(tmp_path: Path, api: BotAPIEmulator) -> AsyncIterator[asyncio.Task[None]]:
    """`bot.app.run_service` as `dialogs-bot run` calls it, in this process, on an archive of its own (it
    closes the database when it stops); leaving sends SIGTERM and waits for it to finish."""
    database = await asyncio.to_thread(seeded_archive, tmp_path)  # it migrates with a loop of its own
    settings = make_settings(database_url(database)).model_copy(update={"telegram_api_url": api.base_url})
    task = asyncio.create_task(run_service(settings, database, DEFAULT_TOKEN))
    try:
        assert await api.wait_until(lambda: api.get_updates_received > 0 or task.done(), 30)
        assert not task.done(), task.result()
        yield task
    finally:
        if not task.done():
            os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(task, 30)
        database.sync_engine.dispose()


async def test_polling_waits_as_long_as_telegram_asks(tmp_path: Path) -> None:
    async with BotAPIEmulator() as api, running(tmp_path, api):
        api.fail_next("getUpdates", retry_after=2)  # for the poll after the one waiting now
        user = api.user(ADMIN_ID)
        await user.send_text("/start")  # ends the waiting poll: the next one meets the flood wait
        await user.wait_answer(timeout=20)
        assert await api.wait_until(lambda: any(c.error_code == 429 for c in api.calls_of("getUpdates")), 10)
        await user.send_text("/dialogs")  # taken by the poll after the wait; one within 2 s is a violation
        reaction = await user.wait_answer(timeout=20)
        assert "Список диалогов" in reaction.text


async def test_sigterm_in_a_burst_of_taps_leaves_no_tap_taken_unanswered(tmp_path: Path) -> None:
    async with BotAPIEmulator() as api:
        async with running(tmp_path, api) as task:
            people = [api.user(ADMIN_ID), api.user(HEAD_ID)]
            lists = []
            for person in people:
                await person.send_text("/dialogs")
                lists.append((await person.wait_answer(timeout=20)).message)
            # the first edits hang a little: those taps are surely in the bot's hands when SIGTERM comes
            api.fail_next("editMessageText", hang=0.5, times=4)
            queries = []
            for person, message in zip(people, lists, strict=True):
                for label in ("▶", "⏭", "Клиент", "Канал", "Номер", "Кто"):
                    queries.append(await person.press(message, label))
            taken = await api.wait_until(lambda: any(api.is_delivered(q.update_id) for q in queries), 10)
            assert taken
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.wait_for(task, 30)
            # as run_service returns (the process would end here): nothing of this test ran in between
            delivered = [query.update_id for query in queries if api.is_delivered(query.update_id)]
            # answered as a tap is: the screen shown, no alert ("something went wrong" is no answer)
            answered = {q.update_id for q in queries if q.answer is not None and not q.answer.show_alert}
            pending = {update["update_id"] for update in api.pending_updates}
        assert delivered
        for update_id in delivered:
            # a tap taken is answered, or else left to Telegram, which delivers it again to the next start
            assert update_id in answered or update_id in pending, f"tap {update_id} was lost"
        assert set(delivered) <= answered, "every tap taken had time to finish"
        assert not pending & answered, "what was handled is confirmed to Telegram"

"""While a long import holds the database, the bot keeps reading and says plainly what must wait: a new
search (it is stored), opening a card (it is audited) and a client's list asked for the first time (it is
stored)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from db.engine import Database
from emulator import BotAPIEmulator
from tests.bot_harness import ADMIN_ID, database_url, make_settings, running_bot, seeded_archive
from tests.databases import WritesHeld


@pytest.fixture
def url(tmp_path: Path) -> str:
    seeded = seeded_archive(tmp_path)  # migrations run their own event loop: outside the test's
    seeded.sync_engine.dispose()
    return database_url(seeded)


@pytest.fixture
async def api(url: str) -> AsyncIterator[BotAPIEmulator]:
    # the bot's own view of the file, waiting a fifth of a second for another writer
    database = Database(url, busy_timeout_ms=200)
    async with running_bot(database, make_settings(database_url(database))) as emulator:
        yield emulator
    database.sync_engine.dispose()


async def test_what_waits_for_an_import_says_so(api: BotAPIEmulator, url: str) -> None:
    user = api.user(ADMIN_ID)
    await user.send_text("/dialogs")
    listing = (await user.wait_answer()).message
    await user.send_text("семён иванов")
    card = (await user.wait_answer()).message
    await user.press(card, "1")
    await user.wait_answer()
    client_button = "👤 Все диалоги клиента (2)"  # his number's
    assert client_button in card.button_texts()

    # an import's transaction holds the write lock (on PostgreSQL: the tables a search and a card write)
    importer = WritesHeld(url, "list_views, audit_log")
    try:
        await user.send_text("совсем новый поиск")
        reaction = await user.wait_answer()
        assert reaction.text == "Архив сейчас обновляется, повторите поиск через минуту."

        await user.press(listing, "1")
        reaction = await user.wait_answer()
        assert reaction.callback_answer is not None
        assert reaction.callback_answer.text == "Архив сейчас обновляется, откройте диалог через минуту."
        assert "Диалог" not in listing.content.split("\n")[0], "an unaudited card was shown"

        await user.press(card, client_button)  # the client's list is stored when first asked for
        reaction = await user.wait_answer()
        assert reaction.callback_answer is not None and reaction.callback_answer.show_alert
        assert reaction.callback_answer.text == "Архив сейчас обновляется, попробуйте через минуту."
        assert client_button in card.button_texts()

        await user.press(listing, "▶")  # reading goes on as usual
        reaction = await user.wait_answer()
        assert "стр. 2 из" in listing.content
    finally:
        importer.release()

    await user.send_text("совсем новый поиск")
    reaction = await user.wait_answer()
    assert "🔎 «совсем новый поиск»" in reaction.text

"""Whatever a person types or a forged button carries is just input: a page, a polite refusal, never a
failure. Typed text goes through the list's use case as a search (by someone who sees numbers in full,
and by someone who sees them masked); button data goes through every factory's parser, as aiogram's
filters call it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from aiogram.filters.callback_data import CallbackData
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.archive import Archive
from db.engine import Database
from db.errors import SearchRefused
from db.listing import ListRequest, ListSettings, ViewChange
from tests.bot_harness import seeded_archive
from tests.test_callback_data import FACTORIES

# NUL and other controls, RTL and zero-width marks, full-width and other digits, quotes, FTS and LIKE syntax
ALPHABET = st.sampled_from(list("\x00\x01\n\t\u200e\u200f\u200b\ufeff０１２９٣७+-()*\"'%_:;&<>ёЁйЙ 79416 "))
WORDS = st.lists(st.sampled_from(["NEAR", "OR", "AND", "NOT", "*", "иван", "4567", "ёж"]), max_size=6)
TYPED = st.one_of(
    st.text(ALPHABET, max_size=40),
    WORDS.map(" ".join),
    st.text(max_size=40),
    st.text(ALPHABET, min_size=4000, max_size=4096),
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    database: Database = seeded_archive(tmp_path_factory.mktemp("hostile"))
    yield Archive(database, ListSettings(ZoneInfo("Europe/Moscow"), "RU", 10))
    database.sync_engine.dispose()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=TYPED, masked=st.booleans())
def test_any_typed_text_is_a_search_or_a_plain_refusal(archive: Archive, typed: str, masked: bool) -> None:
    request = ListRequest(sort="completed_at", descending=True)
    try:
        result = asyncio.run(archive.open_list(request, ViewChange(search_text=typed), masked=masked))
    except SearchRefused:
        assert masked and any(ch.isdigit() for ch in typed)
        return
    assert result.page.total >= 0 and len(result.page.rows) <= 10
    if result.view is not None:
        assert "\x00" not in result.view.view.search_text


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
@settings(max_examples=200, deadline=None)
@given(data=st.one_of(st.text(max_size=64), st.from_regex(r"[a-z]:[-0-9:a-zA-Z]{0,60}", fullmatch=True)))
def test_forged_button_data_is_refused_by_the_parsers(factory: type[CallbackData], data: str) -> None:
    """aiogram's filter calls `unpack` and treats TypeError and ValueError as "not this button"; anything
    else would reach the error handler. Data that does parse is within every bound."""
    try:
        parsed = factory.unpack(data)
    except (TypeError, ValueError):
        return
    assert factory.unpack(parsed.pack()) == parsed

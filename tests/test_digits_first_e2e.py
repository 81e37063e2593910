"""Issue 15, point 2: digits typed are most often a number's last digits. The numbers that end with them
come first, then those that hold them elsewhere, each part on pages of its own whose header says which;
paging, the ends and an export follow that order."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from db.records import DialogRecord
from emulator import BotAPIEmulator
from tests.bot_harness import (
    ADMIN_ID,
    BASE,
    bot_on,
    parse_list,
    say,
    tap,
)

# seven dialogs of numbers ending in 9675, six with 9675 inside, the newest of all among the latter (a
# plain "contains" newest first would mix them), and one number with other digits
ENDING = ["+79161239675", "+79031119675", "+79261119675"]
INSIDE = ["+79675551234", "+79996755555", "+79169675000"]
PHONES = [*[ENDING[n % 3] for n in range(7)], *[INSIDE[n % 3] for n in range(6)], "+79160000000"]
RECORDS = [
    DialogRecord(
        source_id=f"crm-{n}",
        client_name=f"Клиент {n:02d}",
        client_phone=phone,
        channel="whatsapp",
        completed_by="Анна Смирнова",
        started_at=None,
        completed_at=BASE - timedelta(hours=n if phone in ENDING else n - 20),
        message_count=2,
        messages=None,
    )
    for n, phone in enumerate(PHONES)
]


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[BotAPIEmulator]:
    async with bot_on(tmp_path, RECORDS) as emulator:
        yield emulator


def digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


async def test_numbers_that_end_with_the_digits_come_first_and_the_header_says_so(
    api: BotAPIEmulator,
) -> None:
    user = api.user(ADMIN_ID)
    message = (await say(user, "9675")).message
    first = parse_list(message.content)
    assert (first.found, first.page, first.pages) == (13, 1, 4)  # seven ending: two pages; six inside: two
    assert "Сначала номера, которые оканчиваются на 9675 (7), затем — с 9675 в середине (6)" in first.header
    assert all(digits(entry.phone).endswith("9675") for entry in first.entries)
    assert [entry.number for entry in first.entries] == [1, 2, 3, 4, 5]

    second = parse_list((await tap(user, message, "▶")).text)
    assert second.page == 2 and [entry.number for entry in second.entries] == [6, 7]
    assert all(digits(entry.phone).endswith("9675") for entry in second.entries)

    third = parse_list((await tap(user, message, "▶")).text)  # across the border: the second part
    assert third.page == 3 and [entry.number for entry in third.entries] == [8, 9, 10, 11, 12]
    assert "Номера с 9675 в середине (6); оканчивающиеся на 9675 — в начале списка (7)" in third.header
    assert all("9675" in digits(e.phone) and not digits(e.phone).endswith("9675") for e in third.entries)

    back = parse_list((await tap(user, message, "◀")).text)  # and back: the first part's last page
    assert back.page == 2 and [entry.number for entry in back.entries] == [6, 7]

    last = parse_list((await tap(user, message, "⏭")).text)
    assert last.page == 4 and [entry.number for entry in last.entries] == [13]
    first_again = parse_list((await tap(user, message, "⏮")).text)
    assert [entry.client for entry in first_again.entries] == [entry.client for entry in first.entries]

    await tap(user, message, "⬇ CSV")  # the export in the list's order: the ending numbers first
    document = user.documents[-1]
    rows = list(csv.reader(io.StringIO(document.data.decode("utf-8-sig")), delimiter=";"))[1:]
    numbers = [digits(row[3]) for row in rows]
    assert len(numbers) == 13
    assert all(number.endswith("9675") for number in numbers[:7])
    assert not any(number.endswith("9675") for number in numbers[7:])


async def test_when_no_number_ends_with_the_digits_the_header_says_so(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    listed = parse_list((await say(user, "7555")).text)  # only inside +79675551234 and +79996755555
    assert listed.found == 4
    assert "Ни один номер не оканчивается на 7555: здесь номера с этими цифрами в середине" in listed.header
    only = parse_list((await say(user, "1234")).text)  # +79675551234 ends in 1234: one part only
    assert "Все эти номера оканчиваются на 1234" in only.header and only.found == 2

"""The demo data generator: deterministic, well-formed and varied enough to look like a real CRM."""

from __future__ import annotations

import dataclasses
import os
import random
import re
import statistics
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import phonenumbers
import pytest

from db import demo
from db.demo import (
    CHANNELS,
    EMPLOYEE_NAMES,
    FEMALE_NAMES,
    MALE_NAMES,
    MOSCOW,
    PHONE_PLANS,
    feminine,
    generate_dialogs,
)
from db.phones import normalize_phone
from db.records import DialogRecord

ANCHOR = datetime(2026, 11, 20, 15, 30, 45, 123456, tzinfo=UTC)
EXPECTED_CHANNELS = {"whatsapp", "telegram", "instagram", "vk", "viber", "avito", "email", "webchat"}


@pytest.fixture(scope="module")
def dialogs() -> list[DialogRecord]:
    return list(generate_dialogs(5000, 11, anchor=ANCHOR))


def test_same_arguments_give_the_same_dialogs() -> None:
    first = list(generate_dialogs(300, 7, anchor=ANCHOR))
    assert first == list(generate_dialogs(300, 7, anchor=ANCHOR))
    assert first != list(generate_dialogs(300, 8, anchor=ANCHOR))


def test_string_hashing_does_not_change_the_dialogs() -> None:
    script = (
        "import hashlib; from datetime import datetime, UTC; from db.demo import generate_dialogs; "
        "records = generate_dialogs(200, 3, anchor=datetime(2026, 1, 1, tzinfo=UTC)); "
        "print(hashlib.sha256(repr(list(records)).encode()).hexdigest())"
    )
    root = Path(__file__).resolve().parents[1]
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(digests) == 1 and len(digests.pop().strip()) == 64


def test_transcripts_do_not_change_the_other_fields() -> None:
    with_text = list(generate_dialogs(200, 5, anchor=ANCHOR))
    without = list(generate_dialogs(200, 5, anchor=ANCHOR, transcripts=False))
    assert all(record.messages is None for record in without)
    assert [dataclasses.replace(record, messages=None) for record in with_text] == without


def test_an_anchor_in_another_zone_is_the_same_moment() -> None:
    moscow_anchor = ANCHOR.astimezone(timezone(timedelta(hours=3)))
    assert list(generate_dialogs(50, 2, anchor=moscow_anchor)) == list(generate_dialogs(50, 2, anchor=ANCHOR))


@pytest.mark.parametrize("count", [0, 1, 7, 49, 1000])
def test_count_is_exact_and_ids_are_unique(count: int) -> None:
    ids = [record.source_id for record in generate_dialogs(count, anchor=ANCHOR, transcripts=False)]
    assert len(ids) == count
    assert len(set(ids)) == count
    assert all(re.fullmatch(r"demo-\d{7}", source_id) for source_id in ids)


def test_bad_arguments_fail_at_the_call() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        generate_dialogs(10, anchor=datetime(2026, 1, 1))  # naive on purpose
    with pytest.raises(ValueError, match="count"):
        generate_dialogs(-1, anchor=ANCHOR)


def test_times_lie_in_the_two_years_before_the_anchor(dialogs: list[DialogRecord]) -> None:
    period_start = ANCHOR - timedelta(days=730)
    for record in dialogs:
        assert record.started_at is not None
        assert record.completed_at.utcoffset() == timedelta(0)
        assert period_start <= record.started_at <= record.completed_at <= ANCHOR
        duration = record.completed_at - record.started_at
        assert timedelta(minutes=2) <= duration <= timedelta(hours=3)


def test_times_follow_a_working_week(dialogs: list[DialogRecord]) -> None:
    local = [record.completed_at.astimezone(MOSCOW) for record in dialogs]
    working_hours = sum(9 <= moment.hour < 21 for moment in local)
    assert working_hours > 0.85 * len(local)
    weekdays = Counter(moment.weekday() for moment in local)
    assert min(weekdays[day] for day in range(5)) > max(weekdays[5], weekdays[6])
    recent = sum(record.completed_at > ANCHOR - timedelta(days=365) for record in dialogs)
    assert recent > 0.52 * len(dialogs)
    durations = [
        (record.completed_at - record.started_at).total_seconds() for record in dialogs if record.started_at
    ]
    assert statistics.median(durations) < 30 * 60  # skewed short


def test_transcripts_match_their_dialogs(dialogs: list[DialogRecord]) -> None:
    for record in dialogs:
        assert record.messages is not None and record.started_at is not None
        assert 2 <= record.message_count <= 80
        assert len(record.messages) == record.message_count
        times = [message.at for message in record.messages]
        assert times == sorted(times)
        assert record.started_at <= times[0] and times[-1] <= record.completed_at
        for message in record.messages:
            assert message.text
            if message.sender == "client":
                assert message.author == record.client_name
            elif message.sender == "employee" and record.completed_by is not None:
                assert message.author == record.completed_by
            elif message.sender == "bot":
                assert message.author is None
    assert 10 <= statistics.median(record.message_count for record in dialogs) <= 14


def test_transcripts_read_like_sales_talk(dialogs: list[DialogRecord]) -> None:
    texts = [message.text for record in dialogs for message in record.messages or ()]
    senders = Counter(message.sender for record in dialogs for message in record.messages or ())
    assert senders["bot"] > 0 and senders["client"] > senders["bot"] and senders["employee"] > senders["bot"]
    assert len(set(texts)) > 0.05 * len(texts)
    assert any("₽" in text for text in texts)
    assert any("Заказ №" in text for text in texts)
    assert sum(any(char in text for char in "<>&\"'") for text in texts) > 100  # needs HTML escaping


def test_all_channels_are_used_whatsapp_most(dialogs: list[DialogRecord]) -> None:
    channels = Counter(record.channel for record in dialogs)
    assert set(channels) == EXPECTED_CHANNELS == set(CHANNELS.items)
    assert channels.most_common(1)[0][0] == "whatsapp"


def test_clients_have_a_name_or_a_phone(dialogs: list[DialogRecord]) -> None:
    assert all(record.client_name or record.client_phone for record in dialogs)
    assert any(record.client_name is None for record in dialogs)
    assert any(record.client_phone is None for record in dialogs)


def test_names_are_varied(dialogs: list[DialogRecord]) -> None:
    names = {record.client_name for record in dialogs if record.client_name}
    assert len(names) >= 300
    assert sum("ё" in name for name in names) > 0.03 * len(names)
    latin = [name for name in names if re.fullmatch(r"[A-Za-zÀ-ÿĀ-ſ' ]+", name)]
    assert 0.04 * len(names) < len(latin) < 0.2 * len(names)


def test_clients_come_back(dialogs: list[DialogRecord]) -> None:
    per_client = Counter((record.client_name, record.client_phone) for record in dialogs)
    assert 1000 <= len(per_client) <= 1300  # a pool of about count / 4
    assert max(per_client.values()) >= 10
    assert sum(1 <= n <= 3 for n in per_client.values()) > 0.6 * len(per_client)


def test_phones_are_valid_e164(dialogs: list[DialogRecord]) -> None:
    phones = sorted({record.client_phone for record in dialogs if record.client_phone})
    regions: Counter[str | None] = Counter()
    for phone in random.Random(0).sample(phones, 300):
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(number), phone
        assert normalize_phone(phone, "RU") == phone
        regions[phonenumbers.region_code_for_number(number)] += 1
    assert regions.most_common(1)[0][0] == "RU" and len(regions) > 3


def test_every_phone_plan_gives_valid_numbers() -> None:
    rnd = random.Random(0)
    for country, (prefixes, digits) in PHONE_PLANS.items():
        for prefix in prefixes:
            for _ in range(10):
                number = phonenumbers.parse(f"{prefix}{rnd.randrange(10**digits):0{digits}d}")
                assert phonenumbers.is_valid_number(number), (prefix, number)
                assert phonenumbers.region_code_for_number(number) == country


def test_employees_share_the_work_unevenly(dialogs: list[DialogRecord]) -> None:
    load = Counter(record.completed_by for record in dialogs)
    closed_automatically = load.pop(None)
    assert 0.01 * len(dialogs) < closed_automatically < 0.06 * len(dialogs)
    assert set(load) <= set(EMPLOYEE_NAMES) and len(load) >= 20
    assert max(load.values()) > 3 * min(load.values())


@pytest.mark.parametrize(
    ("masculine", "expected"),
    [
        ("Иванов", "Иванова"),
        ("Семёнов", "Семёнова"),
        ("Соловьёв", "Соловьёва"),
        ("Ильин", "Ильина"),
        ("Троицкий", "Троицкая"),
        ("Вишневский", "Вишневская"),
        ("Толстой", "Толстая"),
        ("Шевченко", "Шевченко"),
        ("Петросян", "Петросян"),
        ("Седых", "Седых"),
    ],
)
def test_feminine_surnames(masculine: str, expected: str) -> None:
    assert feminine(masculine) == expected


def test_surnames_agree_with_first_names(dialogs: list[DialogRecord]) -> None:
    pairs = [name.split(" ") for name in {record.client_name for record in dialogs if record.client_name}]
    women = [surname for first, *rest in pairs if first in FEMALE_NAMES for surname in rest]
    men = [surname for first, *rest in pairs if first in MALE_NAMES for surname in rest]
    assert len(women) > 100 and len(men) > 100
    assert not [surname for surname in women if surname.endswith(("ов", "ёв", "ев", "ин", "ский", "цкий"))]
    assert not [surname for surname in men if surname.endswith(("ова", "ёва", "ева", "ина", "ская", "цкая"))]
    assert any(surname.endswith("ёва") for surname in women)


def test_every_template_fills_from_a_dialog_context() -> None:
    client = demo._Client("Алёна Королёва", None, True, "email", "Анна Смирнова")
    talk = demo._Talk(random.Random(0), client, "Анна Смирнова", 0)
    kind_topics = [topic for topics in demo.KIND_TOPICS.values() for topic in topics]
    topics = [*demo.DIALOG_TOPICS, *demo.PRODUCT_TOPICS, demo.NEXT_PRODUCT, *kind_topics]
    lines = [line for topic in topics for question, answers in topic for line in (question, *answers)]
    turns = (demo.OPENING, demo.ORDER, demo.REFUSAL, demo.GOODBYE)
    lines += [line for clients_and_employees in turns for side in clients_and_employees for line in side]
    for line in lines:
        filled = line.format_map(talk.context)
        assert "{" not in filled and "}" not in filled, line

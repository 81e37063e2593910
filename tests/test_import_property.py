"""Whatever a file's lines hold — dialogs, dialogs with fields of any type, text, random bytes, JSON nested a
hundred thousand deep — in whatever encoding, the import ends without a traceback, and every line is
stored or reported with its reason (or the whole file is refused in one line); what is kept beside the
dialogs agrees with them afterwards."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from db.engine import Database
from db.importer import FileUnreadable, ImportReport, import_file
from db.integrity import find_disagreements
from db.models import Dialog
from tests.databases import migrated_database
from tests.test_import import MOSCOW

COLUMNS = ["id", "client_name", "client_phone", "channel", "completed_by", "started_at", "completed_at"]
COLUMNS += ["message_count"]

JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
TIMES = st.one_of(
    st.just("2026-11-20T10:42:00+03:00"),
    st.builds(
        lambda moment, offset: moment.isoformat() + offset,
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
        st.sampled_from(["", "+03:00", "-10:00", "+14:00", "Z"]),
    ),
    st.text(max_size=30),
    JUNK,
)
MESSAGES = st.lists(
    st.fixed_dictionaries(
        {
            "at": TIMES,
            "from": st.sampled_from(["client", "employee", "bot", "robot"]) | JUNK,
            "text": st.text(max_size=40) | JUNK,
            "author": st.none() | st.text(max_size=20) | JUNK,
        }
    ),
    max_size=3,
)
DIALOG = st.fixed_dictionaries(
    {
        "client_name": st.just("Иван Петров") | st.text(max_size=30) | JUNK,
        "client_phone": st.just("+7 916 123-45-67")
        | st.text(alphabet="0123456789+-() ", max_size=16)
        | st.text(max_size=10)
        | JUNK,
        "channel": st.just("whatsapp") | st.text(max_size=40) | JUNK,
        "completed_by": st.just("Анна Смирнова") | st.text(max_size=30) | JUNK,
        "started_at": st.none() | TIMES,
        "completed_at": TIMES,
        "message_count": st.just(3) | st.integers() | st.text(max_size=6) | JUNK,
        "messages": st.none() | MESSAGES | JUNK,
    }
)
# what one line of the file is: a dialog (which gets an id of this example), text, bytes, deep nesting
LINE = st.one_of(
    DIALOG.map(lambda fields: ("dialog", fields)),
    st.text(max_size=60).map(lambda chars: ("text", chars.replace("\n", " "))),
    st.binary(max_size=60).map(lambda data: ("bytes", data.replace(b"\n", b" "))),
    st.integers(1, 200_000).map(lambda depth: ("text", "[" * depth + "{" * (depth % 3))),
)
FILES = st.tuples(
    st.sampled_from(["jsonl", "csv"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251"]),
    st.sampled_from([",", ";", "\t"]),
    st.lists(LINE, min_size=1, max_size=25),
)
examples = count()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = migrated_database(tmp_path_factory.mktemp("property"))
    yield database
    database.sync_engine.dispose()


def rendered(kind: str, value: Any, source_id: str, form: str, delimiter: str) -> str | bytes:
    """One line as text (encoded with the file), or as bytes (put in as they are)."""
    if kind == "bytes":
        return bytes(value)
    if kind == "text":
        return str(value)
    fields = {"id": source_id, **value}
    if form == "jsonl":
        try:
            return json.dumps(fields, ensure_ascii=False).encode("utf-8").decode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: written as JSON writes it, escaped
            return json.dumps(fields)
    out = io.StringIO()
    cells = ["" if fields.get(name) is None else str(fields.get(name)) for name in COLUMNS]
    csv.writer(out, delimiter=delimiter).writerow([" ".join(cell.splitlines()) for cell in cells])
    return out.getvalue().rstrip("\r\n")


def encoded(lines: Sequence[str | bytes], encoding: str) -> bytes:
    if encoding == "utf-16":  # bytes cannot sit among two-byte characters: they go in as Latin-1 text
        text = "\n".join(line.decode("latin-1") if isinstance(line, bytes) else line for line in lines)
        return (text + "\n").encode("utf-16", "surrogatepass")
    if encoding == "utf-8-sig":  # the mark once, at the start of the file (the codec puts one per call)
        return codecs.BOM_UTF8 + encoded(lines, "utf-8")
    parts: list[bytes] = []
    for line in lines:
        if isinstance(line, bytes):
            parts.append(line)
            continue
        try:
            parts.append(line.encode(encoding))
        except UnicodeEncodeError:  # a character the encoding lacks: this line is in UTF-8
            parts.append(line.encode("utf-8", "surrogatepass"))
    return b"\n".join(parts) + b"\n"


def blank(line: str | bytes, encoding: str, form: str, delimiter: str) -> bool:
    """Whether the import may skip the line as blank: nothing but spaces (or, in CSV, empty cells)."""
    if isinstance(line, bytes):
        try:  # in a UTF-16 file, bytes went in as Latin-1 text (`encoded`)
            line = line.decode("latin-1" if encoding.startswith("utf-16") else encoding)
        except UnicodeDecodeError:
            return False
    if form == "csv" and "\r" not in line and '"' not in line:
        return not any(cell.strip() for cell in next(csv.reader([line], delimiter=delimiter), []))
    return not line.strip()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(FILES)
def test_every_line_is_stored_or_reported_whatever_it_holds(
    database: Database, tmp_path_factory: pytest.TempPathFactory, file: tuple[str, str, str, list[Any]]
) -> None:
    form, encoding, delimiter, items = file
    prefix = f"p{next(examples)}-"
    lines: list[str | bytes] = [
        rendered(kind, value, f"{prefix}{number}", form, delimiter)
        for number, (kind, value) in enumerate(items)
    ]
    header: list[str | bytes] = [delimiter.join(COLUMNS)] if form == "csv" else []
    path = tmp_path_factory.mktemp("file") / f"d.{form}"
    path.write_bytes(encoded(header + lines, encoding))

    try:
        report = import_file(database.sync_engine, path, region="RU", local_tz=MOSCOW)
    except FileUnreadable as refused:
        assert str(refused)  # one line that says why
        report = refused.report
        if not report.lines:
            assert stored_of(database, prefix) == set()
            return
    read_in = report.encoding or ("utf-16" if encoding == "utf-16" else "utf-8")
    reported = {line for r in report.rejected for line in range(r.line, max(r.line, r.last) + 1)}
    stored = stored_of(database, prefix)
    first = len(header) + 1
    for number, ((kind, _), line) in enumerate(zip(items, lines, strict=True)):
        physical = first + number
        if (
            isinstance(report, ImportReport)
            and report.complete_through
            and physical > report.complete_through
        ):
            break
        accounted = (
            physical in reported
            or (kind == "dialog" and f"{prefix}{number}" in stored)
            or blank(line, codecs.lookup(read_in).name, form, delimiter)
        )
        assert accounted, (physical, line, report)
    assert database.run(find_disagreements, MOSCOW) == []


def stored_of(database: Database, prefix: str) -> set[str]:
    return set(
        database.run(
            lambda c: list(c.scalars(select(Dialog.source_id).where(Dialog.source_id.startswith(prefix))))
        )
    )

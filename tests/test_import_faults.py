"""`dialogs-bot import` when the file or the database is not as it should be: other encodings and
delimiters, lines that are not dialogs, a full disk, an import killed midway. Every line ends up stored or
reported with its reason, nothing garbled is stored, a file that cannot be read at all gets one line and
its own exit code, and what is kept beside the dialogs (their total, the names' and phones' counts, the
statistics) agrees with them however the import ended — or `dialogs-bot migrate` makes it agree."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from sqlalchemy import event, select

from db import importer, sources
from db.engine import Database
from db.importer import FileUnreadable, import_file
from db.integrity import find_disagreements
from db.lookups import SIZES
from db.models import ClientName, Employee
from db.phones import normalize_phone
from db.records import RecordError, parse_record
from tests.conftest import VARIABLES, run, schema_differences
from tests.databases import migrated_database, query_archive, total_of
from tests.test_import import GOOD, MOSCOW, write_jsonl

COLUMNS = "id,client_name,client_phone,channel,completed_by,started_at,completed_at,message_count"


def opened(workdir: Path) -> Database:
    """The archive of the `workdir` fixture (DATABASE_URL), as the commands run in it open it."""
    return Database(os.environ["DATABASE_URL"])


def query(workdir: Path, sql: str) -> list[tuple[Any, ...]]:
    return query_archive(os.environ["DATABASE_URL"], sql)


def stored_ids(folder: Path) -> set[str]:
    return {source_id for (source_id,) in query(folder, "SELECT source_id FROM dialogs")}


def csv_row(number: int, name: str = "Иван Петров", employee: str = "Анна Смирнова", sep: str = ",") -> str:
    cells = [f"c{number}", name, "+7 916 123-45-67", "whatsapp", employee, "", "2026-11-20 10:42:00", "3"]
    return sep.join(cells) + "\n"


def dialog_lines(count: int, *, prefix: str = "d", days: int = 60) -> list[dict[str, Any]]:
    """Valid JSON lines with ids prefix0, prefix1…, spread over `days` days and many names."""
    start = datetime(2026, 9, 1, 12, tzinfo=UTC)
    return [
        {
            **GOOD,
            "id": f"{prefix}{n}",
            "client_name": f"Клиент {n % 500}",
            "client_phone": f"+7 916 {n % 1000:03d}-45-67",
            "completed_at": (start + timedelta(days=n % days, minutes=n)).isoformat(),
            "started_at": None,
            "messages": None,
            "message_count": n % 30,
        }
        for n in range(count)
    ]


# --- A file that cannot be read at all: one line, exit 3, nothing stored ---------------------------------


def test_a_binary_file_is_refused_in_one_line(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = workdir / "photo.dat"
    path.write_bytes(bytes(range(256)) * 40)
    code, out, err = run(capsys, "import", str(path))
    assert code == 3
    assert err.count("\n") == 1 and "not a text file" in err and "Traceback" not in err
    assert out == ""
    assert query(workdir, "SELECT count(*) FROM dialogs") == [(0,)]


def test_a_zero_byte_and_a_line_break_are_no_utf16_file(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the property test: `00 0A` reads as UTF-16 (one line break), and the line it was, a NUL
    character, was neither stored nor reported."""
    path = workdir / "d.jsonl"
    path.write_bytes(b"\x00\n")
    code, out, err = run(capsys, "import", str(path))
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and "not a text file" in err


def test_a_missing_file_and_a_csv_without_an_id_column_are_files_that_cannot_be_read(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "import", str(workdir / "missing.csv"))
    assert (code, err.count("\n")) == (3, 1)
    path = workdir / "d.csv"
    path.write_text("name,phone\nИван,+79161234567\n", encoding="utf-8")
    code, _, err = run(capsys, "import", str(path))
    assert (code, err.count("\n")) == (3, 1)
    assert "id among them" in err and "'name,phone'" in err


# --- Encodings -------------------------------------------------------------------------------------------


def test_a_cp1251_csv_with_semicolons_as_excel_saves_it_in_russia_is_read_right(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workdir / "excel.csv"
    body = COLUMNS.replace(",", ";") + "\n" + "".join(csv_row(n, sep=";") for n in range(3))
    path.write_bytes(body.encode("cp1251"))
    code, out, err = run(capsys, "import", str(path))
    assert code == 0, err
    assert "Added 3, updated 0, rejected 0" in out
    assert "read as cp1251" in err
    assert query(workdir, "SELECT DISTINCT client_name FROM dialogs") == [("Иван Петров",)]
    assert query(workdir, "SELECT name FROM employees") == [("Анна Смирнова",)]


def test_an_encoding_that_cannot_be_told_for_sure_is_asked_for_and_never_guessed(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """KOI8-R read as cp1251 would store «йЧБО рЕФТПЧ»: the file is refused until its encoding is named,
    and no garbled name or employee is created."""
    path = workdir / "old.csv"
    path.write_bytes((COLUMNS + "\n" + "".join(csv_row(n) for n in range(3))).encode("koi8-r"))
    code, out, err = run(capsys, "import", str(path))
    assert (code, out, err.count("\n")) == (3, "", 1)
    assert "--encoding" in err
    assert query(workdir, "SELECT count(*) FROM employees") == [(0,)]

    code, out, _ = run(capsys, "import", str(path), "--encoding", "koi8-r")
    assert code == 0 and "Added 3" in out
    assert query(workdir, "SELECT DISTINCT client_name FROM dialogs") == [("Иван Петров",)]
    assert query(workdir, "SELECT name FROM employees") == [("Анна Смирнова",)]


def test_utf16_with_and_without_a_byte_order_mark_is_read(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [json.dumps({**GOOD, "id": f"u{n}"}, ensure_ascii=False) + "\n" for n in range(3)]
    (workdir / "bom.jsonl").write_text("".join(lines[:2]), encoding="utf-16")
    (workdir / "le.jsonl").write_bytes(lines[2].encode("utf-16-le"))
    for name in ("bom.jsonl", "le.jsonl"):
        code, _, err = run(capsys, "import", str(workdir / name))
        assert code == 0, err
    assert query(workdir, "SELECT source_id, client_name FROM dialogs ORDER BY id") == [
        ("u0", "Иван Петров"),
        ("u1", "Иван Петров"),
        ("u2", "Иван Петров"),
    ]


def test_a_line_in_another_encoding_is_rejected_with_the_hint_and_the_rest_is_stored(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workdir / "mixed.csv"
    good = (COLUMNS + "\n" + csv_row(1)).encode("utf-8")
    path.write_bytes(good + csv_row(2, name="Пётр Иванов").encode("cp1251") + csv_row(3).encode("utf-8"))
    code, _, err = run(capsys, "import", str(path))  # not UTF-8, and not cp1251 either: asked for
    assert (code, err.count("\n")) == (3, 1)

    monkeypatch.setattr(sources, "SAMPLE_BYTES", len(good))  # a large file: the line comes after the sample
    code, out, err = run(capsys, "import", str(path))
    assert code == 1
    assert re.search(r"^line 3: not valid utf-8 text; .*--encoding cp1251", err, re.MULTILINE)
    assert "Added 2, updated 0, rejected 1" in out
    assert stored_ids(workdir) == {"c1", "c3"}
    assert query(workdir, "SELECT name FROM client_names") == [("Иван Петров",)]


# --- Delimiters ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("separator", "given"), [(";", None), ("\t", None), (";", ";"), ("\t", "tab")])
def test_the_delimiter_is_told_by_the_header_or_given(
    workdir: Path, capsys: pytest.CaptureFixture[str], separator: str, given: str | None
) -> None:
    path = workdir / "d.csv"
    # a comma inside a name must not make the comma look like the delimiter
    rows = csv_row(1, name="Смит, Джон", sep=separator) + csv_row(2, sep=separator)
    path.write_text(COLUMNS.replace(",", separator) + "\n" + rows, encoding="utf-8")
    code, _, err = run(capsys, "import", str(path), *(["--delimiter", given] if given else []))
    assert code == 0, err
    assert query(workdir, "SELECT client_name FROM dialogs ORDER BY id") == [
        ("Смит, Джон",),
        ("Иван Петров",),
    ]


# --- Lines that are not dialogs: rejected, and the valid lines around them kept --------------------------


def test_deeply_nested_json_is_a_rejected_line_and_the_lines_before_it_are_stored(
    database: Database, tmp_path: Path
) -> None:
    lines: list[object] = [{**GOOD, "id": f"crm-{n}"} for n in range(400)]
    lines += ["[" * 100_000, {**GOOD, "id": "crm-after"}]
    report = import_file(
        database.sync_engine, write_jsonl(tmp_path / "d.jsonl", lines), region="RU", local_tz=MOSCOW
    )
    assert [(r.line, r.reason) for r in report.rejected] == [(401, "not valid JSON (nested too deeply)")]
    assert report.added == 401
    assert total_of(database) == 401


def test_a_csv_cell_over_the_field_limit_is_a_rejected_record_and_the_rest_is_stored(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "d.csv"
    unclosed = 'c399,"Иван ' + "x" * 140_000 + "\n"  # a quote that never closes swallows the lines after it
    rows = "".join(csv_row(n) for n in range(399)) + unclosed + csv_row(400)
    path.write_text(COLUMNS + "\n" + rows, encoding="utf-8")
    report = import_file(database.sync_engine, path, region="RU", local_tz=MOSCOW)
    [rejection] = report.rejected
    assert rejection.line == 401 and "longer than 131,072 characters" in rejection.reason
    assert (report.added, report.updated) == (400, 0)
    assert total_of(database) == 400


def test_values_that_broke_a_whole_batch_are_rejected_lines() -> None:
    """Found by the property test below: each of these raised from parse_record or from the database,
    and lost the batch it was in."""
    bad = {
        "a lone surrogate": {**GOOD, "client_name": "\udc80"},
        "a year out of the calendar in UTC": {**GOOD, "completed_at": "0001-01-01T00:00:00+03:00"},
        "a year no CRM recorded": {**GOOD, "completed_at": "9999-12-31T23:59:59"},
        "a count beyond SQLite's integers": {**GOOD, "message_count": 2**70},
        "a digit int() does not read": {**GOOD, "message_count": "²"},
        "a sender that is a list": {
            **GOOD,
            "messages": [{"at": GOOD["completed_at"], "from": [], "text": ""}],
        },
        "a surrogate in a message": {
            **GOOD,
            "messages": [{"at": GOOD["completed_at"], "from": "bot", "text": "\ud800"}],
        },
        # PostgreSQL stores no NUL character: the batch failed there
        "a NUL character": {**GOOD, "completed_by": "\x00"},
        "a NUL character in a message": {
            **GOOD,
            "messages": [{"at": GOOD["completed_at"], "from": "client", "text": "до\x00рого"}],
        },
    }
    for what, raw in bad.items():
        with pytest.raises(RecordError):
            parse_record(raw, region="RU", local_tz=MOSCOW)
            pytest.fail(what)


# --- Phone numbers ---------------------------------------------------------------------------------------


def test_placeholder_numbers_are_rejected_with_the_reason_and_real_ones_kept_however_they_look() -> None:
    """Real: every country's example numbers, a Russian one of nines (sold as a «golden» number), and
    numbers phonenumbers calls possible but cannot confirm (its metadata lags behind new ranges)."""
    for typed in (
        "0000000000",
        "+7 000 000-00-00",
        "+44 0000 000000",
        "1111111111",
        "1234567890",
        "+1 555 555 5555",
    ):
        with pytest.raises(RecordError, match="cannot be a real number"):
            parse_record({**GOOD, "client_phone": typed}, region="RU", local_tz=MOSCOW)
    examples = [
        phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        for region in phonenumbers.SUPPORTED_REGIONS
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
        if (example := phonenumbers.example_number_for_type(region, kind)) is not None
    ]
    assert len(examples) > 300
    for e164 in [*examples, "+7 999 999-99-99", "+7 100 123-45-67", "+374 94 539617"]:
        record = parse_record({**GOOD, "client_phone": e164}, region="RU", local_tz=MOSCOW)
        assert record.client_phone == normalize_phone(e164, "RU")


# --- The database refuses a write: exit 4, and what is stored is said and consistent ---------------------

RUNNER = """
import sys
from db import importer, sources
{patch}
from bot.cli import main
sys.exit(main(sys.argv[1:]))
"""


def start_cli(folder: Path, *args: str, patch: str = "", file_limit: int = 0) -> subprocess.Popen[str]:
    """`dialogs-bot ARGS` in a child process (the importer's module patched by `patch`), its files no
    larger than `file_limit` bytes when given: a disk that is full."""

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    environment = {
        **{name: value for name, value in os.environ.items() if name not in VARIABLES},
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "TIMEZONE": "Europe/Moscow",
    }
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER.format(patch=patch), *args],
        cwd=folder,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=full_disk if file_limit else None,
    )


@pytest.mark.sqlite_only("a full disk is the SQLite file's size limit")
def test_a_full_disk_stops_the_import_with_its_own_exit_code_and_keeps_the_batches_stored(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(capsys, "import", str(write_jsonl(workdir / "first.jsonl", dialog_lines(5, prefix="f"))))[0] == 0
    )
    path = write_jsonl(workdir / "d.jsonl", dialog_lines(3000))
    size = (workdir / "dialogs.db").stat().st_size
    process = start_cli(
        workdir, "import", str(path), patch="importer.BATCH_SIZE = 100", file_limit=size + 300_000
    )
    out, err = process.communicate(timeout=120)
    assert process.returncode == 4, err
    assert "Traceback" not in err
    assert "dialogs-bot: the database could not be written" in err
    found = re.search(r"Every line up to line ([\d,]+) is stored or rejected above; nothing after it", err)
    assert found, err
    through = int(found[1].replace(",", ""))
    assert 0 < through < 3000 and through % 100 == 0
    assert stored_ids(workdir) == {f"f{n}" for n in range(5)} | {f"d{n}" for n in range(through)}
    assert run(capsys, "check")[0] == 0  # the total, the counts and the statistics agree

    code, out, _ = run(capsys, "import", str(path))  # room again: the rest is added
    assert code == 0 and f"Added {3000 - through:,}, updated {through:,}" in out
    assert run(capsys, "check")[0] == 0


@pytest.mark.sqlite_only("a full disk is the SQLite file's size limit")
def test_a_full_disk_during_a_bulk_load_stores_nothing_and_says_so(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "migrate")[0] == 0
    path = write_jsonl(workdir / "d.jsonl", dialog_lines(3000))
    size = (workdir / "dialogs.db").stat().st_size
    patch = "importer.BATCH_SIZE = 100; importer.BULK_MIN_DIALOGS = 2"
    process = start_cli(workdir, "import", str(path), patch=patch, file_limit=size + 300_000)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 4, err
    assert "Nothing of the file is stored" in err and "Traceback" not in err
    assert query(workdir, "SELECT count(*) FROM dialogs") == [(0,)]
    database = opened(workdir)
    assert database.run(schema_differences) == []  # the dropped indexes came back with the rollback
    database.sync_engine.dispose()


# --- An import killed midway -----------------------------------------------------------------------------


def test_an_import_killed_midway_leaves_the_total_and_the_statistics_right(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(capsys, "import", str(write_jsonl(workdir / "first.jsonl", dialog_lines(500, prefix="f"))))[0]
        == 0
    )
    # batches of 100 dialogs over 60 days: each brings its totals and statistics with it
    path = write_jsonl(workdir / "d.jsonl", dialog_lines(20_000))
    process = start_cli(workdir, "import", str(path), patch="importer.BATCH_SIZE = 100")
    deadline = time.monotonic() + 120
    while query(workdir, "SELECT count(*) FROM dialogs") < [(800,)]:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    process.kill()
    process.wait()
    stored = query(workdir, "SELECT count(*) FROM dialogs")[0][0]
    assert 800 <= stored < 20_500

    database = opened(workdir)
    assert total_of(database) == stored  # the list's total came with each batch
    assert database.run(find_disagreements, MOSCOW) == []  # and so did the statistics
    assert run(capsys, "check")[:2] == (0, "The totals and statistics agree with the dialogs.\n")
    database.sync_engine.dispose()


def test_migrate_repairs_an_archive_that_an_older_version_left_disagreeing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As a kill during an import left it before: the total of an earlier import, names' counts that
    missed the last batches, a day's statistics counted before its last dialogs."""
    assert run(capsys, "import", str(write_jsonl(workdir / "d.jsonl", dialog_lines(300))))[0] == 0
    for statement in (
        "UPDATE counters SET value = 200 WHERE name = 'dialogs'",
        "UPDATE client_names SET dialog_count = 0 WHERE id % 2 = 0",
        "UPDATE client_phones SET last_completed_at = NULL WHERE id < 4",
        "UPDATE client_phone_grams SET dialog_count = dialog_count + 1 WHERE phone_id = 5",
        "DELETE FROM hourly_stats WHERE (day, hour) IN (SELECT day, hour FROM hourly_stats LIMIT 1)",
        "UPDATE daily_stats SET messages = messages + 1 WHERE day = '2026-09-03'",
    ):
        query(workdir, statement)
    revision = query(workdir, "SELECT value FROM counters WHERE name = 'revision'")

    code, out, _ = run(capsys, "check")
    assert code == 1
    assert "the dialog total (200 kept, 300 dialogs stored)" in out
    assert "the client names' dialog counts (" in out and "the phone numbers' dialog counts (3 counted" in out
    # a search by digits reads the grams' copies of their numbers' counts: those of the three numbers
    # counted wrong differ from them too, and one number's grams were changed on their own
    assert "the phone numbers' digit grams (numbers whose grams carry other counts: 4)" in out
    assert "the statistics (2 days counted wrong" in out
    code, out, _ = run(capsys, "migrate")
    assert code == 0 and out.count("Repaired") == 5
    assert "Repaired the phone numbers' digit grams (numbers whose grams carry other counts: 1)" in out
    assert run(capsys, "check")[0] == 0
    database = opened(workdir)
    assert total_of(database) == 300
    counted = database.run(lambda c: c.scalar(select(ClientName.dialog_count).where(ClientName.id == 2)))
    assert (counted or 0) > 0
    database.sync_engine.dispose()
    assert query(workdir, "SELECT value FROM counters WHERE name = 'revision'") > revision  # caches recount


# --- Memory: every statement has one shape ---------------------------------------------------------------


@pytest.mark.sqlite_only("sqlite3's statement cache")
def test_the_import_prepares_the_same_statements_however_many_batches_it_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver keeps every statement text it prepared; lists of a new length each batch filled it
    with hundreds of programs of thousands of parameters (~180 MiB at a million lines)."""
    monkeypatch.setattr(importer, "BATCH_SIZE", 37)

    def statements_of(lines: int, folder: Path) -> set[str]:
        folder.mkdir()
        database = migrated_database(folder)
        seen: set[str] = set()
        event.listen(database.sync_engine, "before_cursor_execute", lambda *args: seen.add(args[2]))
        # names and phones repeat at random: each batch looks up a different number of new ones
        rows = [
            {**row, "client_name": f"Имя {hash((n, 'n')) % 97}"} for n, row in enumerate(dialog_lines(lines))
        ]
        import_file(database.sync_engine, write_jsonl(folder / "d.jsonl", rows), region="RU", local_tz=MOSCOW)
        import_file(database.sync_engine, write_jsonl(folder / "d.jsonl", rows), region="RU", local_tz=MOSCOW)
        database.sync_engine.dispose()
        return seen

    def shapes(statements: set[str]) -> tuple[set[str], set[int]]:
        """The statements with their IN lists cut out, and the lists' lengths."""
        lists = re.compile(r"IN \((\?(?:, \?)*)\)")
        lengths = {match.count("?") for statement in statements for match in lists.findall(statement)}
        return {lists.sub("IN (…)", statement) for statement in statements}, lengths

    few, few_lengths = shapes(statements_of(37 * 3, tmp_path / "few"))
    many, many_lengths = shapes(statements_of(37 * 12, tmp_path / "many"))
    assert many == few
    assert few_lengths | many_lengths <= set(SIZES)  # a few shapes, whatever the number of batches
    with sqlite3.connect(tmp_path / "many" / "dialogs.db") as connection:
        assert connection.execute("SELECT count(*) FROM dialogs").fetchone() == (37 * 12,)


def test_unreadable_file_errors_name_the_file(tmp_path: Path, database: Database) -> None:
    path = tmp_path / "d.txt"
    path.write_bytes(b"\x00" * 10)
    with pytest.raises(FileUnreadable, match=r"d\.txt is not a text file"):
        import_file(database.sync_engine, path, region="RU", local_tz=MOSCOW)
    assert database.run(lambda c: list(c.scalars(select(Employee.name)))) == []

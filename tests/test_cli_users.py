"""`dialogs-bot users add/list/remove` (`--employee` links a manager) and `dialogs-bot run`'s refusals, as a
person at a terminal sees them: exit codes, one-line messages, never a traceback."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from db.engine import Database
from db.importer import store_records
from db.records import DialogRecord
from db.users import Role, find_role, linked_employee
from tests.conftest import run


def role_in_database(workdir: Path, telegram_id: int) -> Role | None:
    database = Database(os.environ["DATABASE_URL"])  # the workdir's archive
    try:
        return database.run(find_role, telegram_id)
    finally:
        database.sync_engine.dispose()


def assert_one_line(text: str) -> None:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text


def test_add_list_and_remove_a_user(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "users", "add", "42", "--role", "head", "--name", "Ольга")
    assert code == 0 and err == ""
    assert "42" in out and "head" in out
    assert role_in_database(workdir, 42) is Role.HEAD

    code, out, _ = run(capsys, "users", "add", "7", "--role", "manager")
    assert code == 0 and role_in_database(workdir, 7) is Role.MANAGER

    code, out, _ = run(capsys, "users", "list")
    assert code == 0
    rows = [line.split() for line in out.strip().splitlines()]
    assert ["42", "head", "Ольга"] in rows
    assert ["7", "manager"] in rows

    code, out, err = run(capsys, "users", "remove", "42")
    assert code == 0 and "42" in out and err == ""
    assert role_in_database(workdir, 42) is None
    _, out, _ = run(capsys, "users", "list")
    assert "Ольга" not in out and not any(line.split()[0] == "42" for line in out.strip().splitlines())


def test_adding_again_changes_the_role(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "users", "add", "42", "--role", "manager", "--name", "Ольга")
    code, out, _ = run(capsys, "users", "add", "42", "--role", "admin", "--name", "Ольга")
    assert code == 0 and "admin" in out
    assert role_in_database(workdir, 42) is Role.ADMIN
    _, out, _ = run(capsys, "users", "list")
    assert [line.split() for line in out.strip().splitlines()] == [["42", "admin", "Ольга"]]


def test_the_list_shows_the_admins_of_admin_ids(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADMIN_IDS", "1001, 1002")
    run(capsys, "users", "add", "42", "--role", "head", "--name", "Ольга")
    code, out, _ = run(capsys, "users", "list")
    assert code == 0
    lines = out.strip().splitlines()
    for admin in ("1001", "1002"):
        [line] = [line for line in lines if line.split()[0] == admin]
        assert "admin" in line and "ADMIN_IDS" in line
    assert any(line.split() == ["42", "head", "Ольга"] for line in lines)


def test_the_list_of_nobody_says_how_to_add_someone(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "users", "list")
    assert code == 0 and "users add" in out


def test_removing_an_unknown_user_fails_in_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "users", "remove", "99")
    assert code == 2
    assert_one_line(err)
    assert "99" in err


def test_an_unknown_role_is_refused(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["users", "add", "42", "--role", "boss"])
    assert exit_info.value.code == 2
    assert "boss" in capsys.readouterr().err
    assert not (workdir / "dialogs.db").exists() or role_in_database(workdir, 42) is None


def test_run_without_a_token_says_so_in_one_line(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "run")
    assert code == 2
    assert_one_line(err)
    assert "BOT_TOKEN" in err


@pytest.mark.parametrize("token", ["not-a-token", "987654:", "abc:DEF", "987654:secret with spaces", " "])
def test_run_with_a_malformed_token_says_so_in_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    monkeypatch.setenv("BOT_TOKEN", token)
    code, out, err = run(capsys, "run")
    assert code == 2
    assert_one_line(err)
    assert "BOT_TOKEN" in err
    if token.strip():
        assert token not in err + out, "the token is never printed"


@pytest.mark.parametrize("url", ["not a url", "postgresql://localhost/dialogs", "sqlite:///dialogs.db"])
def test_a_bad_database_url_says_so_in_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("BOT_TOKEN", "123456789:TEST-emulator-token_AAAAAAAAAAAAAAAAAAAA")
    for argv in (["run"], ["users", "list"]):
        code, _out, err = run(capsys, *argv)
        assert code == 2
        assert_one_line(err)
        assert "DATABASE_URL" in err


def test_a_bad_setting_says_so_in_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADMIN_IDS", "1001,anna")
    code, _out, err = run(capsys, "users", "list")
    assert code == 2
    assert_one_line(err)
    assert "ADMIN_IDS" in err


def archive_with_employees(capsys: pytest.CaptureFixture[str]) -> None:
    """The workdir's archive, migrated, with dialogs completed by «Анна Смирнова», «Семён Орлов» and «Семен
    Орлов» (two employees whose names fold alike), and one closed automatically."""
    assert run(capsys, "migrate")[0] == 0
    database = Database(os.environ["DATABASE_URL"])
    try:
        records = [
            DialogRecord(
                source_id=f"crm-{index}",
                client_name="Иван Петров",
                client_phone="+79161234567",
                channel="whatsapp",
                completed_by=employee,
                started_at=None,
                completed_at=datetime(2026, 11, 20, 10, index, tzinfo=UTC),
                message_count=3,
                messages=None,
            )
            for index, employee in enumerate(("Анна Смирнова", "Семён Орлов", "Семен Орлов", None))
        ]
        store_records(database.sync_engine, records, zone=ZoneInfo("Europe/Moscow"))
    finally:
        database.sync_engine.dispose()


def linked_in_database(telegram_id: int) -> str | None:
    database = Database(os.environ["DATABASE_URL"])
    try:
        return database.run(linked_employee, telegram_id)
    finally:
        database.sync_engine.dispose()


def test_a_manager_is_linked_to_an_employee_and_the_list_shows_it(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive_with_employees(capsys)
    code, out, err = run(capsys, "users", "add", "7", "--role", "manager", "--employee", "Анна Смирнова")
    assert code == 0 and err == ""
    assert "linked to Анна Смирнова" in out
    assert linked_in_database(7) == "Анна Смирнова"
    # the name as the archive folds it (case, ё = е, spaces) when it names one employee alone
    code, out, _ = run(
        capsys, "users", "add", "8", "--role", "manager", "--name", "Пётр", "--employee", " анна  СМИРНОВА"
    )
    assert code == 0 and linked_in_database(8) == "Анна Смирнова"
    run(capsys, "users", "add", "9", "--role", "manager")

    code, out, _ = run(capsys, "users", "list")
    assert code == 0
    lines = {line.split()[0]: line for line in out.strip().splitlines()}
    assert lines["7"].split() == ["7", "manager", "(employee:", "Анна", "Смирнова)"]
    assert lines["8"].split() == ["8", "manager", "Пётр", "(employee:", "Анна", "Смирнова)"]
    assert lines["9"].split() == ["9", "manager"]


def test_relinking_unlinking_and_a_new_role(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive_with_employees(capsys)
    run(capsys, "users", "add", "7", "--role", "manager", "--employee", "Анна Смирнова")
    code, out, _ = run(capsys, "users", "add", "7", "--role", "manager", "--employee", "Семён Орлов")
    assert code == 0 and "Updated" in out and linked_in_database(7) == "Семён Орлов"
    # added again without --employee: no longer linked, and told so
    code, out, _ = run(capsys, "users", "add", "7", "--role", "manager")
    assert code == 0 and "no longer linked to Семён Орлов" in out
    assert linked_in_database(7) is None
    run(capsys, "users", "add", "7", "--role", "manager", "--employee", "Анна Смирнова")
    # a head sees everything: the link goes with the role
    code, out, _ = run(capsys, "users", "add", "7", "--role", "head")
    assert code == 0 and role_in_database(workdir, 7) is Role.HEAD and linked_in_database(7) is None
    _, out, _ = run(capsys, "users", "list")
    assert out.split() == ["7", "head"]


@pytest.mark.parametrize("role", ["admin", "head"])
def test_an_employee_for_a_head_or_an_admin_is_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str], role: str
) -> None:
    archive_with_employees(capsys)
    code, out, err = run(capsys, "users", "add", "7", "--role", role, "--employee", "Анна Смирнова")
    assert code == 2 and out == ""
    assert_one_line(err)
    assert "--employee is for managers" in err
    assert role_in_database(workdir, 7) is None


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("Анна Смирнов", "no employee is named 'Анна Смирнов'"),
        ("семен орлов", "more than one employee is named like 'семен орлов'"),
        ("  ", "--employee needs the employee's name"),
    ],
)
def test_an_employee_not_told_apart_is_refused_listing_nobody(
    workdir: Path, capsys: pytest.CaptureFixture[str], typed: str, said: str
) -> None:
    archive_with_employees(capsys)
    code, out, err = run(capsys, "users", "add", "7", "--role", "manager", "--employee", typed)
    assert code == 2 and out == ""
    assert_one_line(err)
    assert said in err
    assert "Анна Смирнова" not in err and "Семён" not in err, "no employee of the archive is named"
    assert role_in_database(workdir, 7) is None
    # the exact name tells the two apart
    code, _, _ = run(capsys, "users", "add", "7", "--role", "manager", "--employee", "Семен Орлов")
    assert code == 0 and linked_in_database(7) == "Семен Орлов"


def test_with_manager_scope_own_an_unlinked_manager_is_pointed_out(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    archive_with_employees(capsys)
    monkeypatch.setenv("MANAGER_SCOPE", "own")
    code, out, _ = run(capsys, "users", "add", "9", "--role", "manager")
    assert code == 0 and "MANAGER_SCOPE=own" in out and "--employee" in out
    _, out, _ = run(capsys, "users", "list")
    assert "not linked to an employee" in out


@pytest.mark.parametrize("value", ["mine", "1", "everyone"])
def test_a_bad_manager_scope_says_so_in_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("MANAGER_SCOPE", value)
    code, _out, err = run(capsys, "users", "list")
    assert code == 2
    assert_one_line(err)
    assert "MANAGER_SCOPE" in err and "'all'" in err and "'own'" in err

"""`dialogs-bot users add/list/remove` and `dialogs-bot run`'s refusals, as a person at a terminal sees them:
exit codes, one-line messages, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main
from db.engine import Database
from db.users import Role, find_role
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

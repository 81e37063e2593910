"""`dialogs-bot try` refusing what it cannot do in one line, without a traceback: a page port already
taken, and an archive named that is the real one (DATABASE_URL), which it never touches. (The page itself
is tested in a browser: tests/test_try_page.py.)"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture(autouse=True)
def in_a_folder_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "ADMIN_IDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'real.db'}")


def test_a_taken_port_is_named_with_the_way_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["try", "--port", str(port), "--dialogs", "20"])
    said = capsys.readouterr()
    assert code == 2
    assert said.err.startswith(f"dialogs-bot: cannot listen on 127.0.0.1:{port}: ")
    assert said.err.rstrip().endswith("choose another with --port")
    assert "Traceback" not in said.err
    assert "Making 20 demo dialogs in dialogs-try.db" in said.out
    assert not (tmp_path / "real.db").exists()


def test_the_real_archive_is_never_the_demos(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["try", "--archive", str(tmp_path / "real.db"), "--dialogs", "20"])
    assert code == 2
    assert "is the real archive (DATABASE_URL); name another with --archive" in capsys.readouterr().err
    assert not (tmp_path / "real.db").exists()


def test_the_demo_manager_sees_dialogs_when_managers_see_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With MANAGER_SCOPE=own in the person's settings, the demo's manager is linked to an employee (the
    demo's first), not refused as one nobody linked."""
    monkeypatch.setenv("MANAGER_SCOPE", "own")
    with socket.socket() as taken:  # the demo is made, then stops at the port: what it made stays
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["try", "--port", str(taken.getsockname()[1]), "--dialogs", "20"]) == 2
    capsys.readouterr()
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'dialogs-try.db'}")
    assert main(["users", "list"]) == 0
    listed = capsys.readouterr().out
    manager = next(line for line in listed.splitlines() if "1003" in line)
    assert "manager" in manager and "not linked" not in manager, listed

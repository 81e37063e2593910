"""`dialogs-bot tokens add/list/revoke` as a person at a terminal sees them: the token is shown once, and
only its hash is kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from db.tokens import PREFIX, digest
from tests.conftest import run
from tests.databases import query_archive


def test_a_token_is_shown_once_and_kept_only_as_its_hash(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "tokens", "add", "crm")
    assert code == 0 and not err
    token = out.splitlines()[-1]
    assert token.startswith(PREFIX) and len(token) > 40  # alone on the last line, for scripts
    stored = query_archive(os.environ["DATABASE_URL"], "SELECT name, token_hash FROM ingest_tokens")
    dump = "\n".join(
        str(query_archive(os.environ["DATABASE_URL"], f"SELECT * FROM {table}"))
        for table in ("ingest_tokens", "audit_log", "counters")
    )
    assert stored == [("crm", digest(token))]
    assert token not in dump

    code, out, _ = run(capsys, "tokens", "list")
    assert code == 0 and token not in out
    assert out.startswith("crm  made ") and "never used, active" in out

    code, _, err = run(capsys, "tokens", "add", "crm")
    assert code == 2 and "a token named crm exists already" in err

    code, out, _ = run(capsys, "tokens", "revoke", "crm")
    assert code == 0 and out == "Revoked crm: requests with it are refused from now on.\n"
    code, out, _ = run(capsys, "tokens", "list")
    assert ", revoked " in out
    code, _, err = run(capsys, "tokens", "revoke", "crm")
    assert code == 2 and "no active token is named crm" in err


def test_a_name_that_could_confuse_is_refused(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "tokens", "add", "crm token\n")
    assert exit_.value.code == 2
    assert "up to 100 letters, digits and . _ @ -" in capsys.readouterr().err
    code, out, _ = run(capsys, "tokens", "list")
    assert code == 0 and out == "No tokens yet: dialogs-bot tokens add NAME\n"

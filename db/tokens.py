"""Tokens of the ingestion API and the Chatwoot hook: made once, kept only as their SHA-256, revoked by name.

A token is 32 random bytes (256 bits), so a fast hash is enough: nobody can try enough tokens to find one,
and a stolen database gives none away. Its prefix says what it is to someone who finds it in a file.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, update

from db.audit import INGEST, record
from db.engine import run_sql, stored_time
from db.models import IngestToken

PREFIX = "dlg_"
NAME = re.compile(r"[\w.@-]{1,100}")  # letters of any script, digits, _ . @ -


class TokenNameTaken(ValueError):
    """A token of that name exists (or existed: revoked names are kept, so the audit log stays clear)."""


@dataclass(frozen=True, slots=True)
class Token:
    name: str
    created_at: datetime  # UTC, aware
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Caller:
    """Who presented a token: its name, and whether it was revoked."""

    name: str
    revoked: bool


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def add_token(connection: Connection, name: str) -> str:
    """Makes a token named `name` and returns it: the only time it is seen."""
    if run_sql(connection, "SELECT 1 FROM ingest_tokens WHERE name = :name", {"name": name}).fetchone():
        raise TokenNameTaken(name)
    token = PREFIX + secrets.token_urlsafe(32)
    run_sql(
        connection,
        "INSERT INTO ingest_tokens (name, token_hash, created_at) VALUES (:name, :hash, :now)",
        {"name": name, "hash": digest(token), "now": _now()},
    )
    return token


def list_tokens(connection: Connection) -> list[Token]:
    rows = run_sql(
        connection, "SELECT name, created_at, last_used_at, revoked_at FROM ingest_tokens ORDER BY name"
    )
    return [
        Token(
            name,
            _utc(created),
            None if used is None else _utc(used),
            None if revoked is None else _utc(revoked),
        )
        for name, created, used, revoked in rows
    ]


def revoke_token(connection: Connection, name: str) -> bool:
    """True when the token was in use until now."""
    revoked = connection.execute(
        update(IngestToken)
        .where(IngestToken.name == name, IngestToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC).replace(tzinfo=None))
    )
    return bool(revoked.rowcount)


def caller_of(connection: Connection, token: str) -> Caller | None:
    """Whose token this is, or None for a token never made."""
    row = run_sql(
        connection,
        "SELECT name, revoked_at FROM ingest_tokens WHERE token_hash = :hash",
        {"hash": digest(token)},
    ).fetchone()
    return None if row is None else Caller(row[0], row[1] is not None)


def note_call(connection: Connection, name: str, detail: str) -> None:
    """A call made with the token `name`: its line in the audit log (no person: Telegram id 0), and the
    token's last use."""
    record(connection, 0, INGEST, detail=f"{name}: {detail}")
    run_sql(
        connection,
        "UPDATE ingest_tokens SET last_used_at = :now WHERE name = :name",
        {"name": name, "now": _now()},
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _utc(value: str | datetime) -> datetime:
    return stored_time(value).replace(tzinfo=UTC)

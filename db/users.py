"""Who may use the bot, as what, and in which language they chose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from sqlalchemy import Connection, delete, select

from db.engine import run_sql
from db.models import BotUser


class Role(Enum):
    ADMIN = "admin"  # manages access, sees everything
    HEAD = "head"  # sees everything, full phone numbers included
    MANAGER = "manager"  # sees the list and transcripts with phone numbers masked

    @property
    def sees_full_phones(self) -> bool:
        return self is not Role.MANAGER

    @property
    def may_export(self) -> bool:
        return self is not Role.MANAGER

    @property
    def sees_analytics(self) -> bool:
        """Analytics compare colleagues and show clients' full numbers: heads and admins only."""
        return self is not Role.MANAGER


@dataclass(frozen=True, slots=True)
class User:
    telegram_id: int
    role: Role
    name: str | None
    added_at: datetime  # UTC, aware


@dataclass(frozen=True, slots=True)
class Person:
    """What the bot knows of a Telegram user on each update."""

    role: Role | None  # None: not in `bot_users` (a stranger, unless ADMIN_IDS makes them an admin)
    language: str | None  # the language they chose (/language); None: their Telegram app's


def find_person(connection: Connection, telegram_id: int) -> Person:
    """The role and the chosen language of a Telegram user, in one statement (it runs on every update)."""
    role, language = run_sql(connection, _PERSON, {"id": telegram_id}).fetchone()
    return Person(Role(role) if role else None, language or None)


_PERSON = (
    "SELECT (SELECT role FROM bot_users WHERE telegram_id = :id),"
    " (SELECT language FROM user_languages WHERE telegram_id = :id)"
)


def choose_language(connection: Connection, telegram_id: int, language: str) -> None:
    """Keeps the language a person chose; it wins over their Telegram app's from the next update on."""
    run_sql(connection, _CHOOSE, {"id": telegram_id, "language": language})


_CHOOSE = (
    "INSERT INTO user_languages (telegram_id, language) VALUES (:id, :language)"
    " ON CONFLICT (telegram_id) DO UPDATE SET language = excluded.language"
)


def find_role(connection: Connection, telegram_id: int) -> Role | None:
    row = run_sql(
        connection, "SELECT role FROM bot_users WHERE telegram_id = :id", {"id": telegram_id}
    ).fetchone()
    return Role(row[0]) if row is not None and row[0] else None


def add_user(connection: Connection, telegram_id: int, role: Role, name: str | None) -> bool:
    """Adds the user or changes their role and name; True when they were new."""
    existed = find_role(connection, telegram_id) is not None
    values = {"id": telegram_id, "role": role.value, "name": name}
    run_sql(connection, _ADD, {**values, "now": datetime.now(UTC).replace(tzinfo=None)})
    return not existed


_ADD = (
    "INSERT INTO bot_users (telegram_id, role, name, added_at) VALUES (:id, :role, :name, :now)"
    " ON CONFLICT (telegram_id) DO UPDATE SET role = excluded.role, name = excluded.name"
)


def remove_user(connection: Connection, telegram_id: int) -> bool:
    return bool(connection.execute(delete(BotUser).where(BotUser.telegram_id == telegram_id)).rowcount)


def list_users(connection: Connection) -> list[User]:
    rows = connection.execute(
        select(BotUser.telegram_id, BotUser.role, BotUser.name, BotUser.added_at).order_by(
            BotUser.role, BotUser.telegram_id
        )
    )
    return [
        User(telegram_id, Role(role), name, added.replace(tzinfo=UTC))
        for telegram_id, role, name, added in rows
    ]

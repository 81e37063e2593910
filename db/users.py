"""Who may use the bot, and as what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.sqlite import insert

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


@dataclass(frozen=True, slots=True)
class User:
    telegram_id: int
    role: Role
    name: str | None
    added_at: datetime  # UTC, aware


def find_role(connection: Connection, telegram_id: int) -> Role | None:
    row = run_sql(
        connection, "SELECT role FROM bot_users WHERE telegram_id = :id", {"id": telegram_id}
    ).fetchone()
    return Role(row[0]) if row is not None and row[0] else None


def add_user(connection: Connection, telegram_id: int, role: Role, name: str | None) -> bool:
    """Adds the user or changes their role and name; True when they were new."""
    existed = find_role(connection, telegram_id) is not None
    values = {"role": role.value, "name": name}
    connection.execute(
        insert(BotUser)
        .values(telegram_id=telegram_id, added_at=datetime.now(UTC).replace(tzinfo=None), **values)
        .on_conflict_do_update(index_elements=["telegram_id"], set_=values)
    )
    return not existed


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

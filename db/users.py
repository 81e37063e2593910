"""Who may use the bot, as what, and in which language they chose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from sqlalchemy import Connection, delete, select

from db.engine import run_sql
from db.models import BotUser, Employee
from db.text import fold


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

    @property
    def may_review(self) -> bool:
        """Marking dialogs 1–5 (quality control) is a head's: heads and admins. A manager sees the mark of a
        dialog they see, and may not give one."""
        return self is not Role.MANAGER

    @property
    def may_be_linked(self) -> bool:
        """Only a manager is linked to an employee (MANAGER_SCOPE=own): heads and admins see everything."""
        return self is Role.MANAGER


@dataclass(frozen=True, slots=True)
class User:
    telegram_id: int
    role: Role
    name: str | None
    added_at: datetime  # UTC, aware
    employee: str | None = None  # the employee a manager is linked to (`add_user`), by name


@dataclass(frozen=True, slots=True)
class Person:
    """What the bot knows of a Telegram user on each update."""

    role: Role | None  # None: not in `bot_users` (a stranger, unless ADMIN_IDS makes them an admin)
    language: str | None  # the language they chose (/language); None: their Telegram app's
    employee_id: int | None = None  # the employee a manager is linked to; None: not linked


# the channel on which PostgreSQL tells of every change to `bot_users` and `user_languages` (migration 0021)
PEOPLE_CHANGES = "dialogs_people"


def find_person(connection: Connection, telegram_id: int) -> Person:
    """The role, the chosen language and the linked employee of a Telegram user, in one statement (it runs
    on every update)."""
    role, language, employee_id = run_sql(connection, _PERSON, {"id": telegram_id}).fetchone()
    return Person(Role(role) if role else None, language or None, employee_id)


_PERSON = (
    "SELECT (SELECT role FROM bot_users WHERE telegram_id = :id),"
    " (SELECT language FROM user_languages WHERE telegram_id = :id),"
    " (SELECT employee_id FROM bot_users WHERE telegram_id = :id)"
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


def add_user(
    connection: Connection, telegram_id: int, role: Role, name: str | None, employee_id: int | None = None
) -> bool:
    """Adds the user or changes their role, name and linked employee (None: not linked; a manager's only,
    see `Role.may_be_linked`); True when they were new."""
    if employee_id is not None and not role.may_be_linked:
        raise ValueError(f"a {role.value} is not linked to an employee")
    existed = find_role(connection, telegram_id) is not None
    values = {"id": telegram_id, "role": role.value, "name": name, "employee_id": employee_id}
    run_sql(connection, _ADD, {**values, "now": datetime.now(UTC).replace(tzinfo=None)})
    return not existed


_ADD = (
    "INSERT INTO bot_users (telegram_id, role, name, added_at, employee_id)"
    " VALUES (:id, :role, :name, :now, :employee_id)"
    " ON CONFLICT (telegram_id) DO UPDATE"
    " SET role = excluded.role, name = excluded.name, employee_id = excluded.employee_id"
)


class EmployeeNotFound(LookupError):
    """No employee, or more than one, has the name given to link a manager to (`find_employee`)."""

    def __init__(self, name: str, candidates: int) -> None:
        super().__init__(name, candidates)
        self.name = name
        self.candidates = candidates  # 0: nobody has that name; 2 or more: it is not told apart


def find_employee(connection: Connection, name: str) -> tuple[int, str]:
    """The employee (id, name as stored) of a name as the archive's "Кто завершил" column has it: exactly,
    else folded (case, ё = е and spaces aside) when that names one employee alone. `EmployeeNotFound`
    otherwise."""
    exact = connection.execute(select(Employee.id, Employee.name).where(Employee.name == name)).first()
    if exact is not None:
        return exact[0], exact[1]
    folded = connection.execute(
        select(Employee.id, Employee.name).where(Employee.name_fold == fold(name)).limit(2)
    ).all()
    if len(folded) != 1:
        raise EmployeeNotFound(name, len(folded))
    return folded[0][0], folded[0][1]


def linked_employee(connection: Connection, telegram_id: int) -> str | None:
    """The name of the employee a user is linked to; None when they are not (or are not a user)."""
    return connection.execute(
        select(Employee.name)
        .join(BotUser, BotUser.employee_id == Employee.id)
        .where(BotUser.telegram_id == telegram_id)
    ).scalar()


def remove_user(connection: Connection, telegram_id: int) -> bool:
    return bool(connection.execute(delete(BotUser).where(BotUser.telegram_id == telegram_id)).rowcount)


def list_users(connection: Connection) -> list[User]:
    rows = connection.execute(
        select(BotUser.telegram_id, BotUser.role, BotUser.name, BotUser.added_at, Employee.name)
        .outerjoin(Employee, Employee.id == BotUser.employee_id)
        .order_by(BotUser.role, BotUser.telegram_id)
    )
    return [
        User(telegram_id, Role(role), name, added.replace(tzinfo=UTC), employee)
        for telegram_id, role, name, added, employee in rows
    ]

"""The person behind an update, as the handlers need them."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from db.users import Role
from views.texts import Texts


@dataclass(frozen=True, slots=True)
class Viewer:
    telegram_id: int
    role: Role
    texts: Texts
    zone: ZoneInfo
    page_size: int
    phone_region: str

    @property
    def full_phones(self) -> bool:
        return self.role.sees_full_phones

    @property
    def analytics(self) -> bool:
        """Analytics compare colleagues and show clients' full numbers: heads and admins only."""
        return self.role.may_export

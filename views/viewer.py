"""The person behind an update: who they are, what they may see, in which language and time zone."""

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
    zone: ZoneInfo  # how times are shown (TIMEZONE)
    phone_region: str  # the region of numbers typed without a country code (PHONE_REGION): for masking
    # the employee whose dialogs alone they see (a manager linked to them, with MANAGER_SCOPE=own); None: all
    scope: int | None = None

    @property
    def full_phones(self) -> bool:
        return self.role.sees_full_phones

    @property
    def mask_region(self) -> str | None:
        """For someone who sees numbers masked, the region numbers without a country code are read in
        (to find them in text); None for those who see them in full."""
        return None if self.full_phones else self.phone_region

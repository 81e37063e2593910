"""The settings of the contract (DESIGN §3): the environment, and a `.env` file in the working directory."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from connectors.sync import REPOLL_SECONDS, RETRY_BASE_SECONDS, ChatwootSettings
from db.review_queue import DEFAULT_SAMPLE

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///dialogs.db"
TELEGRAM_API_URL = "https://api.telegram.org"
MANAGER_SCOPE_ALL, MANAGER_SCOPE_OWN = "all", "own"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_url: str = TELEGRAM_API_URL
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    timezone: str = "Europe/Moscow"
    phone_region: str = "RU"
    page_size: int = Field(default=10, ge=1, le=20)  # dialogs a page: ten fit a phone screen
    # all: managers see every dialog; own: a manager sees those of the employee they are linked to, only
    manager_scope: str = MANAGER_SCOPE_ALL
    review_sample: int = Field(default=DEFAULT_SAMPLE, ge=1)  # dialogs an employee in a week's review queue
    # the morning digest's channel-silence alerts (README, "Morning digest"): local hours of TIMEZONE
    work_hours: str = "09-19"
    silence_hours: int = Field(default=2, ge=1, le=12)  # hours without a dialog that make a silence
    # a channel is watched in hours when it had at least this many dialogs on average in the same hours of
    # the same weekday of the four weeks before
    silence_usual_dialogs: float = Field(default=5.0, gt=0)
    # the service (DESIGN §8)
    webhook_url: str = ""  # empty: long polling
    webhook_secret: SecretStr | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port (tests)
    ingest_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # shared state of several bot processes (README, "Two replicas"); empty: kept in the process
    redis_url: SecretStr | None = None
    # the Chatwoot connector: on when the first three are set
    chatwoot_url: str = ""
    chatwoot_api_token: SecretStr | None = None
    chatwoot_account_id: int | None = Field(default=None, ge=1)
    chatwoot_webhook_secret: SecretStr | None = None
    chatwoot_poll_seconds: float = Field(default=REPOLL_SECONDS, ge=0.1)  # re-poll for lost webhooks
    chatwoot_retry_seconds: float = Field(
        default=RETRY_BASE_SECONDS, ge=0.01
    )  # first retry of a failed fetch

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}, e.g. Europe/Moscow") from None
        return value

    @field_validator("work_hours")
    @classmethod
    def _work_hours(cls, value: str) -> str:
        if parse_work_hours(value) is None:
            raise ValueError(
                f"{value!r} is not working hours: two whole hours of the day, the first before the second,"
                " e.g. 09-19"
            )
        return value.strip()

    @property
    def work_hours_range(self) -> tuple[int, int]:
        """The working hours, the first hour and the hour they end at (19: until 19:00)."""
        hours = parse_work_hours(self.work_hours)
        assert hours is not None
        return hours

    @field_validator("phone_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown region {value!r}, e.g. RU")
        return region

    @field_validator("manager_scope")
    @classmethod
    def _manager_scope(cls, value: str) -> str:
        scope = value.strip().lower()
        if scope not in (MANAGER_SCOPE_ALL, MANAGER_SCOPE_OWN):
            raise ValueError(
                f"must be {MANAGER_SCOPE_ALL!r} (managers see every dialog) or {MANAGER_SCOPE_OWN!r}"
                " (a manager sees the dialogs of the employee they are linked to)"
            )
        return scope

    @property
    def managers_see_own(self) -> bool:
        """MANAGER_SCOPE=own: a manager sees only the dialogs of the employee they are linked to."""
        return self.manager_scope == MANAGER_SCOPE_OWN

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("must be the public https:// address Telegram posts updates to")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's rule for secret_token
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("1 to 256 characters: letters A-Z, a-z, digits, _ and -")
        return value

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET is required with WEBHOOK_URL (e.g. openssl rand -hex 32)")
        return self

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not value.get_secret_value().startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a Redis address: redis://HOST:6379/0, rediss://… or unix:///PATH")
        return value

    @field_validator("chatwoot_url")
    @classmethod
    def _chatwoot_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("must be the address of Chatwoot, e.g. https://chatwoot.example.com")
        return value

    @model_validator(mode="after")
    def _chatwoot_all_or_nothing(self) -> Settings:
        given = {
            "CHATWOOT_URL": bool(self.chatwoot_url),
            "CHATWOOT_API_TOKEN": bool(
                self.chatwoot_api_token and self.chatwoot_api_token.get_secret_value()
            ),
            "CHATWOOT_ACCOUNT_ID": self.chatwoot_account_id is not None,
        }
        if any(given.values()) and not all(given.values()):
            missing = ", ".join(name for name, present in given.items() if not present)
            raise ValueError(f"the Chatwoot connector needs {missing} too")
        return self

    @property
    def chatwoot_on(self) -> bool:
        return bool(self.chatwoot_url)

    def chatwoot(self) -> ChatwootSettings | None:
        """The connector's settings, or None when it is off."""
        if not self.chatwoot_on or self.chatwoot_api_token is None or self.chatwoot_account_id is None:
            return None
        token = self.chatwoot_api_token.get_secret_value()
        return ChatwootSettings(
            self.chatwoot_url,
            token,
            self.chatwoot_account_id,
            self.phone_region,
            self.zone,
            repoll_seconds=self.chatwoot_poll_seconds,
            retry_base=self.chatwoot_retry_seconds,
        )

    @property
    def webhook_path(self) -> str:
        """The path of WEBHOOK_URL: what the HTTP server serves Telegram's posts on (a reverse proxy in
        front passes the public address's path through unchanged)."""
        return urlsplit(self.webhook_url).path or "/"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def parse_work_hours(value: str) -> tuple[int, int] | None:
    """«09-19» or «9-19»: the first hour and the hour they end at; None when it is not a span of hours."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*", value)
    if match is None:
        return None
    start, end = int(match[1]), int(match[2])
    return (start, end) if 0 <= start < end <= 24 else None

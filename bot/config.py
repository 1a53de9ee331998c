"""Settings from the environment or `.env`; every one is listed in `.env.example`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import password
from storage.db import shown as shown_url


class ConfigError(RuntimeError):
    """A setting, a file or a provider does not allow baraza to start. The message (one
    line per problem) names the setting or path and says what to do."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///baraza.sqlite3"
    """`sqlite:///file.sqlite3` (one process) or `postgresql://user@host/name` (several)."""
    database_path: Path | None = None
    """Deprecated: an SQLite file, for DATABASE_URL=sqlite:///<it> (DATABASE_URL wins)."""
    send_lease: float = Field(default=60.0, gt=0)
    """PostgreSQL: seconds after which a message a sender left half-sent (its process
    died) is sent again by another process; longer than any one send takes."""
    sqlite_cache_mb: int = Field(default=8, ge=1, le=65536)
    """SQLite: the writer's page cache in MB, the bound on what Baraza keeps of the
    database in its own memory (the operating system caches the file beside it)."""
    flows_dir: Path = Path("flows")
    locales_dir: Path = Path("locales")
    default_language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")] = "en"
    default_dialogue: str = "baraza"
    dialogue_title: str = "Baraza"
    start_flow: str = "onboarding"

    telegram_bot_token: str = ""
    telegram_api_url: str = ""
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_webhook_secret: str = ""

    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_url: str = ""
    twilio_mps: float = Field(default=1.0, gt=0)
    sms_gsm_fallback: bool = True
    default_region: str = "US"
    twilio_whatsapp_from: str = ""
    whatsapp_template_sid: str = ""

    public_base_url: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)

    facilitators: str = ""
    files_dir: Path = Path("exports")
    retention_days: int = Field(default=30, ge=1)

    _database_setting: str = PrivateAttr("DATABASE_URL")

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, url: str) -> str:
        if "://" in url and not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("not a database URL")
        return url

    @model_validator(mode="after")
    def _database_path_alias(self) -> Settings:
        if self.database_path is not None and "database_url" not in self.model_fields_set:
            self._database_setting = "DATABASE_PATH"
            self.database_url = str(self.database_path)
        return self

    @property
    def database_setting(self) -> str:
        """The setting the database came from, to name it in messages."""
        return self._database_setting

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def twilio_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token) and bool(
            self.twilio_from_number or self.twilio_messaging_service_sid
        )

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(
            self.twilio_account_sid and self.twilio_auth_token and self.twilio_whatsapp_from
        )


EXPECTED = {
    "http_port": "a port number (1-65535)",
    "twilio_mps": "a number of SMS segments per second above 0 (e.g. 1)",
    "default_language": "a language code (e.g. en, fr, es)",
    "telegram_mode": "polling or webhook",
    "sms_gsm_fallback": "true or false",
    "send_lease": "a number of seconds above 0 (e.g. 60)",
    "database_url": "sqlite:///file.sqlite3 or postgresql://user:password@host/name",
}
"""What a setting must be, for the line that says it is not."""

SECRETS = ("telegram_bot_token", "telegram_webhook_secret", "twilio_auth_token")
"""Settings never shown in any output (see `mask`)."""


def load_settings(**values: Any) -> Settings:
    """Settings from the environment and `.env`; a bad value is a ConfigError with one
    line per bad setting: `HTTP_PORT: 'notaport' is not a port number (1-65535); ...`."""
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise ConfigError("\n".join(_problem(e) for e in exc.errors())) from exc


def _problem(error: Any) -> str:
    field = str(error["loc"][0]) if error.get("loc") else "?"
    what = EXPECTED.get(field)
    given = error.get("input")
    return bad_setting(field, given, what or str(error.get("msg", "invalid")), bool(what))


def bad_setting(field: str, given: Any, what: str, is_not: bool = True) -> str:
    """`HTTP_PORT: 'notaport' is not a port number (1-65535); set it in .env`."""
    var = field.upper()
    shown = mask(field, str(given)) if field in SECRETS else repr(given)
    if field == "database_url":
        shown = repr(shown_url(str(given)))  # its password never
    if len(shown) > 40:
        shown = shown[:37] + "..."
    problem = f"{shown} is not {what}" if is_not else f"{shown}: {what}"
    where = "the environment" if any(k.upper() == var for k in os.environ) else ".env"
    return f"{var}: {problem}; set it in {where}"


def mask(field: str, value: str) -> str:
    """A secret as it may be shown: a Telegram token keeps its bot id (`123456:…`)."""
    if not value:
        return "''"
    if field == "telegram_bot_token" and ":" in value:
        return value.split(":", 1)[0] + ":…"
    return "…"


def secrets(settings: Settings) -> dict[str, str]:
    """Each secret value in the settings -> how it is shown instead."""
    found = {}
    for field in SECRETS:
        value = str(getattr(settings, field))
        if len(value) >= 4:  # shorter ones would mask ordinary words
            found[value] = mask(field, value)
    database_password = password(settings.database_url)
    if database_password and len(database_password) >= 4:
        found[database_password] = "…"
    return found


def redact(text: str, hidden: dict[str, str]) -> str:
    """`text` with every secret in `hidden` replaced by its mask."""
    for value, shown in hidden.items():
        text = text.replace(value, shown)
    return text

"""Settings from the environment or `.env`; every one is listed in `.env.example`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(RuntimeError):
    """A setting, a file or a provider does not allow baraza to start. The message (one
    line per problem) names the setting or path and says what to do."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_path: Path = Path("baraza.sqlite3")
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
    return found


def redact(text: str, hidden: dict[str, str]) -> str:
    """`text` with every secret in `hidden` replaced by its mask."""
    for value, shown in hidden.items():
        text = text.replace(value, shown)
    return text

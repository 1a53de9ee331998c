"""Settings from the environment or `.env`; every one is listed in `.env.example`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

LANGUAGES = ("en", "fr", "es")


class ConfigError(RuntimeError):
    """The settings do not allow a channel to start; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_path: Path = Path("baraza.sqlite3")
    flows_dir: Path = Path("flows")
    locales_dir: Path = Path("locales")
    default_language: Literal["en", "fr", "es"] = "en"
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

    public_base_url: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = 8080

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

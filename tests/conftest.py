"""Shared fixtures: real settings, real content, a real SQLite file per test."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.runtime import Content, load_content, open_runner
from bot.turns import TurnRunner

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = ["tests.infra.postgres"]


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings that ignore any .env and the process environment's provider credentials."""
    values: dict[str, Any] = {  # checked by Settings itself
        "database_path": tmp_path / "baraza.sqlite3",
        "flows_dir": ROOT / "flows",
        "locales_dir": ROOT / "locales",
        "telegram_bot_token": "",
        "twilio_account_sid": "",
        "twilio_auth_token": "",
        "files_dir": tmp_path / "files",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(make_settings(Path("/nonexistent")))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def runner(settings: Settings, content: Content) -> AsyncIterator[TurnRunner]:
    r = await open_runner(settings, content)
    yield r
    await r.db.close()

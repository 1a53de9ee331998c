"""Updates that can never be handled: never a 500, a traceback or a redelivery loop.

A body too deeply nested to decode is refused (400); an update that decodes but lacks
what every update has (a message without its chat) is dropped with a WARNING and a 200,
so that Telegram does not deliver it again and again. Real python-telegram-bot, the fake
Bot API, a real SQLite file; `serving` fails the test on any handler error.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.runtime import Content
from tests.fakes.telegram_api import FakeBotApi
from tests.test_telegram import User, query, serving, tg_settings
from tests.test_telegram_delivery import SECRET, table_counts, web

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
DEEP = b'{"update_id": 7, "message": {"text": ' + b"[" * 30_000 + b"]" * 30_000 + b"}}"
CHATLESS = {"update_id": 8, "message": {"message_id": 1, "date": 1, "text": "/start"}}


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


async def test_webhook_deep_nesting_and_a_message_without_chat(
    tmp_path: Path, content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeBotApi() as api:
        settings = tg_settings(
            tmp_path,
            api,
            telegram_mode="webhook",
            telegram_webhook_secret=SECRET,
            public_base_url="https://baraza.example.org",
        )
        async with serving(settings, content) as bot, web(bot.channel.routes()) as http:
            deep = await http.post("/telegram/webhook", content=DEEP, headers=HEADERS)
            assert deep.status_code == 400
            chatless = await http.post("/telegram/webhook", json=CHATLESS, headers=HEADERS)
            assert chatless.status_code == 200
            assert table_counts(settings) == dict.fromkeys(table_counts(settings), 0)
            # the next good update is handled as ever
            start = api.make_message_update(42, "/start")
            good = await http.post("/telegram/webhook", json=start, headers=HEADERS)
            assert good.status_code == 200
            await User(api, 42).expect(3)
    assert warnings(caplog) == [
        "telegram: malformed webhook body: maximum recursion depth exceeded while decoding a "
        "JSON array from a unicode string",
        "telegram: update 8 dropped: a message without its chat or date",
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert query(settings, "SELECT count(*) FROM inbound") == [(1,)]


async def test_polled_message_without_chat_is_dropped(
    tmp_path: Path, content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content, poll_timeout=0.1):
            api.push_update({**CHATLESS, "update_id": 100})
            user = User(api, 42)
            user.send("/start")
            await user.expect(3)
            assert not api.pending_updates  # confirmed: not fetched again and again
    assert "telegram: update 100 dropped: a message without its chat or date" in warnings(caplog)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert query(settings, "SELECT count(*) FROM inbound") == [(1,)]

"""A provider unreachable after start: one WARNING, reminders at growing intervals (not a
line per message), a line when it answers again, and the outage on the dashboard.

Twilio: the real Sender and SMS transport against a closed loopback port, then the fake
Twilio API on that port; the clock is the test's. Telegram: the real poller against the
fake Bot API failing getUpdates.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.channels.sms.transport import SmsTransport
from bot.channels.sms.twilio import TwilioApi
from bot.delivery import Limits, Sender
from bot.engine.io import Message
from bot.facilitator import dashboard
from bot.runtime import Content, open_runner
from storage import outbox
from storage.conn import Conn
from tests.conftest import make_settings
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.twilio_api import FakeTwilioApi
from tests.test_setup_errors import closed_port
from tests.test_telegram import User, query, serving, tg_settings

START = datetime(2026, 11, 29, 9, 3, tzinfo=UTC).timestamp()
NUMBERS = ("+254700000001", "+254700000002", "+254700000003")


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def health_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.health"]


async def test_twilio_unreachable_after_start(
    tmp_path: Path, content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    port = closed_port()
    settings = make_settings(
        tmp_path,
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token="twilio-auth-secret",
        twilio_from_number="+15005550006",
        twilio_api_url=f"http://127.0.0.1:{port}",
    )
    runner = await open_runner(settings, content)
    api = TwilioApi(settings, timeout=5)
    await api.open()
    clock = Clock(START)
    sender = Sender(runner.db, SmsTransport(api, settings), Limits(rate=100), clock=clock)
    try:

        def queue(conn: Conn) -> None:
            for number in NUMBERS:
                outbox.enqueue(conn, None, "sms", number, [Message("Habari")], "now")

        await runner.db.write(queue)

        async def drain_at(offset: float) -> int:
            clock.now = START + offset
            return await sender.drain_once()

        assert await drain_at(0) == 3
        [first] = health_lines(caplog)
        assert first.startswith(
            "sms: the Twilio API is unreachable (network: ClientConnectorError at "
            f"TWILIO_API_URL http://127.0.0.1:{port}: Cannot connect to host 127.0.0.1:{port}"
        )
        assert first.endswith("); 3 messages waiting, retried with backoff")
        board = await dashboard.build(runner.db, runner.dialogues["baraza"], datetime.now(UTC))
        assert dashboard.text(board).splitlines()[-1] == (
            "SMS (Twilio): unreachable since 29 Nov 12:03 (3 messages waiting)"  # Nairobi
        )
        # every retry fails again; a reminder after 1 minute, the next after 2 more
        for offset in (10, 30, 61, 100, 181):
            assert await drain_at(offset) == 3
        lines = health_lines(caplog)
        assert len(lines) == 3, lines
        assert lines[1].startswith("sms: the Twilio API still unreachable since 09:03 UTC (10 ")
        assert lines[2].startswith("sms: the Twilio API still unreachable since 09:03 UTC (16 ")
        assert lines[2].endswith("; 3 messages waiting")
        # no line per message or per retry above DEBUG
        assert not [r for r in caplog.records if r.name == "bot.delivery.sender"]

        async with FakeTwilioApi(port=port) as twilio:
            assert await drain_at(300) == 3
            assert sorted(m.to for m in twilio.messages) == list(NUMBERS)
        assert health_lines(caplog)[3:] == [
            "sms: the Twilio API answers again, after 5 min down (18 failed calls)"
        ]
        board = await dashboard.build(runner.db, runner.dialogues["baraza"], datetime.now(UTC))
        assert "unreachable" not in dashboard.text(board)
        assert await runner.db.read("SELECT * FROM provider_health") == []
    finally:
        await api.close()
        await runner.db.close()
    for record in caplog.records:
        assert "twilio-auth-secret" not in record.getMessage()


async def test_getupdates_failing_after_start(
    tmp_path: Path, content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content, poll_timeout=0.1) as bot:
            api.fail_next("getUpdates", "500", times=2)
            # the outage is recorded for the dashboard while it lasts
            for _ in range(500):
                if query(settings, "SELECT 1 FROM provider_health"):
                    break
                await asyncio.sleep(0.01)
            board = await dashboard.build(
                bot.runner.db, bot.runner.dialogues["baraza"], datetime.now(UTC)
            )
            assert dashboard.text(board).splitlines()[-1].startswith("Telegram: unreachable since ")
            # it answers again: a person's message goes through as before
            user = User(api, 42)
            user.send("/start")
            await user.expect(3, timeout=30)
            failed = [c for c in api.calls_to("getUpdates") if c.failed]
            assert len(failed) == 2
        lines = health_lines(caplog)
        assert lines == [
            "telegram: the Telegram Bot API is unreachable (getUpdates: Internal Server Error);"
            " 0 messages waiting, retried with backoff",
            lines[1],
        ]
        assert lines[1].startswith("telegram: the Telegram Bot API answers again, after ")
        assert lines[1].endswith(" down (2 failed calls)")
        assert query(settings, "SELECT count(*) FROM provider_health") == [(0,)]

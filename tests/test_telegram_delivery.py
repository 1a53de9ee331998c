"""The Telegram channel under stress: webhook mode, redelivered updates, restarts and
crashes, flood limits (429), blocked bots (403), hanging and failing servers.

Real python-telegram-bot over loopback HTTP against the fake Bot API, a real SQLite file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.routing import BaseRoute
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.channels.telegram import TelegramChannel, TelegramConfigError, polling
from bot.channels.telegram.transport import AnswerPress, EditKeyboard, TelegramTransport
from bot.delivery import Delivery, Limits, Rejected, RetryLater, Sender, Unreachable
from bot.engine.io import Message, Option, Question
from bot.runtime import Content, open_runner
from bot.web import build_app
from tests.fakes import bind_loopback
from tests.fakes.telegram_api import FakeBotApi
from tests.test_telegram import (
    FAST,
    ONBOARDING,
    TOKEN,
    User,
    expected,
    query,
    serving,
    settle,
    tg_settings,
)

SECRET = "s3cret-token_42"


class _Server(uvicorn.Server):
    """uvicorn in the test's loop, leaving pytest's signal handlers alone."""

    def capture_signals(self) -> contextlib.AbstractContextManager[None]:  # type: ignore[override]
        return contextlib.nullcontext()


@contextlib.asynccontextmanager
async def web(routes: Sequence[BaseRoute]) -> AsyncIterator[httpx.AsyncClient]:
    """The web app `baraza run` serves, on a free loopback port, and a client for it."""
    sock = bind_loopback()
    config = uvicorn.Config(
        build_app(routes),
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="off",
        http="h11",
        ws="none",
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not task.done(), "the web app did not start"
            await asyncio.sleep(0.005)
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        async with httpx.AsyncClient(base_url=base) as client:
            yield client
    finally:
        server.should_exit = True
        await task
        sock.close()


def table_counts(settings: Any) -> dict[str, int]:
    return {
        t: query(settings, f"SELECT count(*) FROM {t}")[0][0]
        for t in ("participants", "inbound", "answers", "outbox")
    }


# --------------------------------------------------------------------------- webhook


async def test_webhook_onboarding_and_refusals(tmp_path: Path, content: Content) -> None:
    def t(msg_id: str) -> str:
        return content.tr("es", msg_id)

    async with FakeBotApi() as api:
        settings = tg_settings(
            tmp_path,
            api,
            telegram_mode="webhook",
            telegram_webhook_secret=SECRET,
            public_base_url="https://baraza.example.org/",
        )
        async with serving(settings, content) as bot, web(bot.channel.routes()) as http:
            assert api.webhook == {
                "url": "https://baraza.example.org/telegram/webhook",
                "secret_token": SECRET,
                "allowed_updates": ["message", "callback_query"],
                "max_connections": 40,
            }
            user = User(api, 42, language_code="es-MX")

            async def post(update: dict[str, Any], secret: str | None = SECRET) -> int:
                headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
                response = await http.post("/telegram/webhook", json=update, headers=headers)
                return response.status_code

            # a wrong or missing secret: refused, nothing processed or stored
            intruder = api.make_message_update(66, "/start", language_code="es")
            assert await post(intruder, secret="wrong") == 403
            assert await post(intruder, secret=None) == 403
            assert await post(intruder, secret="") == 403
            assert table_counts(settings) == dict.fromkeys(table_counts(settings), 0)
            # malformed bodies
            bad = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            for body in (b"{not json", b"[1, 2]", b'{"message": {}}'):
                response = await http.post("/telegram/webhook", content=body, headers=bad)
                assert response.status_code == 400, body

            start = api.make_message_update(42, "/start", language_code="es-MX")
            assert await post(start) == 200
            # the 200 came after the turn was committed: it is on disk already
            assert table_counts(settings)["outbox"] == 3
            assert await post(start) == 200  # Telegram retrying: applied once
            await user.expect(3)

            for n, label in enumerate(
                (
                    t("yes"),
                    "Español",
                    t("onboarding-group-research"),
                    t("onboarding-age-50-64"),
                    t("onboarding-gender-prefer-not"),
                    t("onboarding-area-urban"),
                ),
                4,
            ):
                message = [m for m in user.bot_messages() if m.get("reply_markup")][-1]
                data = next(
                    b["callback_data"]
                    for row in message["reply_markup"]["inline_keyboard"]
                    for b in row
                    if b["text"] == label
                )
                tap = api.make_callback_update(
                    42, data, message_id=message["message_id"], language_code="es-MX"
                )
                assert await post(tap) == 200
                await user.expect(n)
            texts = await user.expect(10)
            await settle()
        assert api.calls_to("getUpdates") == []

    assert user.texts() == texts == expected(content, "es", *ONBOARDING)
    assert query(settings, "SELECT value FROM answers ORDER BY id") == [
        ("yes",),
        ("es",),
        ("research",),
        ("50-64",),
        ("prefer-not",),
        ("urban",),
    ]
    assert query(settings, "SELECT address FROM addresses") == [("42",)]
    assert query(settings, "SELECT count(*) FROM inbound") == [(7,)]


async def test_webhook_answers_500_when_the_turn_failed(
    tmp_path: Path, content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 200 promises the turn is stored; when it could not be (here: the database
    refusing the write), Telegram gets a 500 and delivers the update again later."""
    async with FakeBotApi() as api:
        settings = tg_settings(
            tmp_path,
            api,
            telegram_mode="webhook",
            telegram_webhook_secret=SECRET,
            public_base_url="https://baraza.example.org",
        )
        async with serving(settings, content) as bot, web(bot.channel.routes()) as http:
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            start = api.make_message_update(42, "/start")

            async def disk_full(fn: Any) -> Any:
                raise OSError("database or disk is full")

            with monkeypatch.context() as patch:
                patch.setattr(bot.runner.db, "write", disk_full)
                failed = await http.post("/telegram/webhook", json=start, headers=headers)
            assert failed.status_code == 500
            assert [type(e) for e in bot.errors] == [OSError]
            bot.errors.clear()
            retried = await http.post("/telegram/webhook", json=start, headers=headers)
            assert retried.status_code == 200
            await User(api, 42).expect(3)
    assert query(settings, "SELECT count(*) FROM inbound") == [(1,)]


async def test_webhook_mode_needs_a_secret(tmp_path: Path, content: Content) -> None:
    async with FakeBotApi() as api:
        settings = tg_settings(
            tmp_path, api, telegram_mode="webhook", public_base_url="https://x.example"
        )
        runner = await open_runner(settings, content)
        try:
            channel = TelegramChannel(settings, runner)
            sender = Sender(runner.db, channel.transport, channel.limits)
            with pytest.raises(TelegramConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
                await channel.start(sender)
        finally:
            await runner.db.close()
        assert api.calls == []


# --------------------------------------------------------------------------- exactly once


async def test_the_same_update_twice_is_applied_once(tmp_path: Path, content: Content) -> None:
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content):
            user = User(api, 42)
            start = api.make_message_update(42, "/start")
            api.push_update(start)
            api.push_update(json.loads(json.dumps(start)))
            await user.expect(3)
            consent = user.bot_messages()[2]
            tap = api.make_callback_update(42, "a:1:0", message_id=consent["message_id"])
            api.push_update(tap)
            api.push_update(json.loads(json.dumps(tap)))
            texts = await user.expect(4)
            await settle()
        assert api.delivered_update_ids == [1, 1, 2, 2]
    assert user.texts() == texts == expected(content, "en", *ONBOARDING[:4])
    assert query(settings, "SELECT step_id, value FROM answers") == [("consent", "yes")]
    assert query(settings, "SELECT external_id FROM inbound ORDER BY 1") == [("1",), ("2",)]


async def test_restart_mid_flow_continues_where_it_was(tmp_path: Path, content: Content) -> None:
    """Stopped while replies were still queued and an update was waiting at Telegram: the
    next process (new runner, new Application, same database) sends the rest, in order,
    once, and takes the waiting update at the right step."""
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        user = User(api, 42, language_code="en")
        # a pause per chat far longer than a busy machine's stall: the rest waits for it
        async with serving(settings, content, chat_interval=3.0) as first:
            user.send("/start")
            await user.expect(1)  # welcome sent; "about" and consent wait for the pacing
            pending = query(settings, "SELECT count(*) FROM outbox WHERE status = 'queued'")
            assert pending == [(2,)]
        assert first.channel.running is False
        assert len(user.texts()) == 1

        async with serving(settings, content) as second:  # the stored pause still holds
            assert second.runner is not first.runner
            await user.expect(3, timeout=30)
            user.tap("Yes")
            await user.expect(4)
        # stopped again; meanwhile the person picks a language and a group
        user.tap("Français")
        user.send("2")

        async with serving(settings, content):
            texts = await user.expect(6)
            await settle()

    assert texts == (
        expected(content, "en", *ONBOARDING[:4]) + expected(content, "fr", *ONBOARDING[4:6])
    )
    assert query(settings, "SELECT step_id, value FROM answers ORDER BY id") == [
        ("consent", "yes"),
        ("language", "fr"),
        ("group", "civil-society"),
    ]
    assert query(settings, "SELECT status, count(*) FROM outbox GROUP BY 1") == [("sent", 6)]


async def test_an_update_redelivered_after_a_crash_is_applied_once(
    tmp_path: Path, content: Content
) -> None:
    """The process handled an update but died before Telegram learnt it (the next
    getUpdates offset never arrived): Telegram delivers it again to the next process."""
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        user = User(api, 42)
        async with serving(settings, content):
            user.send("/start")
            await user.expect(3)
            # wait for the long poll that will carry the next update, then make every later
            # getUpdates fail: the offset confirming that update never reaches "Telegram"
            await _long_polling(api, offset=2)
            api.fail_next("getUpdates", "500", times=50)
            user.tap("Yes")
            await user.expect(4)
        api.clear_faults()
        assert [u["update_id"] for u in api.pending_updates] == [2]  # still unconfirmed

        async with serving(settings, content):
            await until(lambda: api.delivered_update_ids.count(2) == 2)
            await settle()
            assert len(user.texts()) == 4  # the redelivered tap did nothing
            user.tap("English")
            texts = await user.expect(5)
            await settle()

    assert texts == expected(content, "en", *ONBOARDING[:5])
    assert query(settings, "SELECT step_id FROM answers ORDER BY id") == [
        ("consent",),
        ("language",),
    ]


async def test_a_message_polled_while_the_database_refuses_writes_is_applied_once_it_can(
    tmp_path: Path, content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database refuses every turn for a while (a full disk, a lock held too long):
    the person's tap is fetched again, after a pause, until its turn is committed. It was
    fetched three times at once and then skipped: the person's answer was lost."""
    monkeypatch.setattr(polling, "LATER_PAUSES", (0.1, 0.4))  # 0.5 s doubling up to 8 s
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        user = User(api, 42)
        async with serving(settings, content) as running:
            user.send("/start")
            await user.expect(3)
            db = running.runner.db
            write = db.write
            refused: list[float] = []

            async def refusing(fn: Any) -> Any:
                if getattr(fn, "groups_rows", False) and len(refused) < 5:  # turns only
                    refused.append(asyncio.get_running_loop().time())
                    raise sqlite3.OperationalError("database or disk is full")
                return await write(fn)

            db.write = refusing  # type: ignore[method-assign]
            user.tap("Yes")
            await user.expect(4)
            assert len(refused) == 5
            assert refused[-1] - refused[0] >= 1.0  # not again and again at once
            running.errors.clear()  # the refusals, logged as they came
            db.write = write  # type: ignore[method-assign]
        assert [u["update_id"] for u in api.pending_updates] == []
    assert query(settings, "SELECT step_id FROM answers ORDER BY id") == [("consent",)]


async def test_an_update_the_database_refuses_alone_is_skipped_and_holds_no_one_back(
    tmp_path: Path, content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When other people's turns commit, an update the database keeps refusing is this
    update's fault, not the database's: it is skipped after three tries, as a failing
    turn is, so it cannot hold the poll's offset (and everyone behind it) forever."""
    monkeypatch.setattr(polling, "LATER_PAUSES", (0.1, 0.4))
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        ana, ben = User(api, 42), User(api, 43)
        async with serving(settings, content) as running:
            ana.send("/start")
            await ana.expect(3)
            db = running.runner.db
            write = db.write

            async def refusing_ana(fn: Any) -> Any:
                env = getattr(fn, "env", None)
                if env is not None and env.address == "42":
                    raise sqlite3.OperationalError("too many SQL variables")
                return await write(fn)

            db.write = refusing_ana  # type: ignore[method-assign]
            ana.tap("Yes")
            ben.send("/start")
            await ben.expect(3)
            await until(lambda: not api.pending_updates)  # Ana's tap skipped, not stuck
            db.write = write  # type: ignore[method-assign]
            assert any("skipped" in str(e) for e in running.errors)
            running.errors.clear()
            ana.tap("Yes")
            await ana.expect(4)
    assert query(settings, "SELECT step_id FROM answers ORDER BY id") == [("consent",)]


async def _long_polling(api: FakeBotApi, offset: int) -> None:
    def polling() -> bool:
        calls = api.calls_to("getUpdates")
        return bool(calls) and calls[-1].params.get("offset") == offset

    await until(polling)


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


# --------------------------------------------------------------------------- rate limits


async def test_a_429_storm_delivers_everything_in_order(tmp_path: Path, content: Content) -> None:
    """40 people start at once (120 messages) while Telegram answers 429 five times: every
    message arrives, in each chat's order, once. (The rate and the per-chat pause are
    proven on a clock the test controls: tests/test_delivery.py.)"""
    chats = list(range(1001, 1041))
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content, chat_interval=1.0):
            api.fail_next("sendMessage", "429", times=5, retry_after=1)
            for chat in chats:
                api.push_message(chat, "/start")
            await api.wait_for("sendMessage", count=3 * len(chats), timeout=60)
            await settle()

    welcome = expected(content, "en", *ONBOARDING[:3])
    for chat in chats:
        assert [m["text"] for m in api.sent_messages(chat)] == welcome, chat
    assert sum(1 for c in api.calls_to("sendMessage") if c.failed == "429") == 5
    assert query(settings, "SELECT status, count(*) FROM outbox GROUP BY 1") == [("sent", 120)]


async def test_a_person_who_blocked_the_bot(tmp_path: Path, content: Content) -> None:
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content):
            api.block_chat(42)
            blocked, other = User(api, 42), User(api, 43)
            blocked.send("/start")
            other.send("/start")
            await other.expect(3)
            await api.wait_for("sendMessage", count=3, chat_id=42, include_failed=True)
            await settle()
            ((unreachable,),) = query(
                settings,
                "SELECT unreachable_at FROM participants p JOIN addresses a"
                " ON a.participant_id = p.id WHERE a.address = '42'",
            )
            assert unreachable is not None
            rows = query(
                settings,
                "SELECT o.status, o.error FROM outbox o JOIN addresses a"
                " ON a.participant_id = o.participant_id WHERE a.address = '42'",
            )
            assert [s for s, _ in rows] == ["failed"] * 3
            assert all("blocked" in e for _, e in rows)

            api.unblock_chat(42)  # they unblock and write again
            blocked.send("/start")
            texts = await blocked.expect(1)
            await settle()
    assert texts == [
        content.tr("en", "welcome-back") + "\n\n" + content.tr("en", "onboarding-consent")
    ]
    assert query(settings, "SELECT unreachable_at FROM participants") == [(None,), (None,)]


# --------------------------------------------------------------------------- the transport


def _row(message: Message, address: str = "42") -> Delivery:
    return Delivery(1, address, message)


async def _free(cost: float) -> None:
    return None


async def test_transport_maps_provider_errors(tmp_path: Path) -> None:
    async with FakeBotApi() as api:
        request = HTTPXRequest(read_timeout=2.0, connect_timeout=2.0)  # a hang: 2 s
        async with Bot(TOKEN, base_url=api.base_url, request=request) as bot:
            transport = TelegramTransport(bot)
            hello = _row(Message("Hello"))

            api.fail_next("sendMessage", "429", retry_after=3)
            with pytest.raises(RetryLater) as flood:
                await transport.deliver(hello, _free)
            assert (flood.value.delay, flood.value.pause_all) == (3.0, True)

            for kind in ("500", "hang"):
                api.fail_next("sendMessage", kind)
                with pytest.raises(RetryLater) as later:
                    await transport.deliver(hello, _free)
                assert later.value.delay is None and not later.value.pause_all

            api.fail_next("sendMessage", "403")
            with pytest.raises(Unreachable):
                await transport.deliver(hello, _free)
            api.fail_next("sendMessage", "400")
            with pytest.raises(Rejected):
                await transport.deliver(hello, _free)
            with pytest.raises(Rejected, match="too long"):
                await transport.deliver(_row(Message("x" * 5000)), _free)

            delivered = await transport.deliver(hello, _free)
            assert delivered.provider_id == "42:1"
        assert [m["text"] for m in api.sent_messages()] == ["Hello"]


async def test_transport_sends_attachments(tmp_path: Path) -> None:
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    table = tmp_path / "export.csv"
    table.write_text("a,b\n1,2\n")
    async with FakeBotApi() as api, Bot(TOKEN, base_url=api.base_url) as bot:
        transport = TelegramTransport(bot)
        await transport.deliver(_row(Message("Dashboard", attachment=str(chart))), _free)
        await transport.deliver(_row(Message("x" * 2000, attachment=str(table))), _free)
        with pytest.raises(Rejected, match="not found"):
            await transport.deliver(
                _row(Message("gone", attachment=str(tmp_path / "gone.png"))), _free
            )
        photo = api.calls_to("sendPhoto")[0].params
        assert photo["caption"] == "Dashboard" and photo["photo"].content.endswith(b"fake")
        document = api.calls_to("sendDocument")[0].params
        assert "caption" not in document and document["document"].filename == "export.csv"
        assert [m["text"] for m in api.sent_messages()] == ["x" * 2000]  # text went first


async def test_keyboards_as_sent(tmp_path: Path) -> None:
    async with FakeBotApi() as api, Bot(TOKEN, base_url=api.base_url) as bot:
        transport = TelegramTransport(bot)
        yes_no = (Option("yes", "Oui"), Option("no", "Non"))
        scale = tuple(Option(str(n), str(n)) for n in range(1, 6))
        for question in (
            Question("consent", 7, yes_no),
            Question("scale", 8, scale, hint="(1=pas urgent, 5=tres urgent)"),
            Question("text", 9),
        ):
            await transport.deliver(_row(Message("Q", question)), _free)
        consent, urgency, open_ = api.sent_messages()
    assert consent["reply_markup"]["inline_keyboard"] == [
        [{"text": "Oui", "callback_data": "a:7:0"}, {"text": "Non", "callback_data": "a:7:1"}]
    ]
    assert urgency["text"] == "Q\n(1=pas urgent, 5=tres urgent)"
    assert [b["callback_data"] for b in urgency["reply_markup"]["inline_keyboard"][0]] == [
        f"a:8:{i}" for i in range(5)
    ]
    assert "reply_markup" not in open_


async def test_transport_answers_presses_and_redraws_keyboards(tmp_path: Path) -> None:
    async with FakeBotApi() as api, Bot(TOKEN, base_url=api.base_url) as bot:
        transport = TelegramTransport(bot)
        yes_no = (Option("yes", "Oui"), Option("no", "Non"))
        await transport.deliver(_row(Message("Q", Question("consent", 7, yes_no))), _free)
        mid = 1  # the bot's first message in the chat
        assert (api.message(42, mid) or {}).get("reply_markup")
        answered = Delivery(-1, "42", AnswerPress("q-1", "closed"))
        await transport.deliver(answered, _free)
        assert api.calls_to("answerCallbackQuery")[0].params == {
            "callback_query_id": "q-1",
            "text": "closed",
        }
        cleared = Delivery(-2, "42", EditKeyboard(mid, None))
        await transport.deliver(cleared, _free)
        assert "reply_markup" not in (api.message(42, mid) or {})
        with pytest.raises(Rejected, match="not modified"):  # a double tap: nothing to do
            await transport.deliver(cleared, _free)
        api.fail_next("editMessageReplyMarkup", "429", retry_after=2)
        with pytest.raises(RetryLater) as flood:
            await transport.deliver(cleared, _free)
        assert (flood.value.delay, flood.value.pause_all) == (2.0, True)


async def test_presses_are_answered_through_the_sender_within_its_rate(
    tmp_path: Path, content: Content
) -> None:
    """Answers and keyboard edits are the Sender's like messages: a channel whose Sender
    allows 2 calls a second still answers every press, one call at a time within it."""
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content, rate=2.0) as bot:
            assert bot.sender.limits == Limits(rate=2.0, per_address=FAST, concurrency=16)
            user = User(api, 42)
            user.send("/start")
            await user.expect(3, timeout=30)
            for _ in range(3):
                user.press("x", 3)  # the marked choice: answered, no turn
            await api.wait_for("answerCallbackQuery", count=3, timeout=30)
    assert [c.params.get("text") for c in api.calls_to("answerCallbackQuery")] == [
        content.tr("en", "question-closed")
    ] * 3

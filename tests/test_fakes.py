"""The HTTP fakes speak well enough for the real python-telegram-bot and twilio clients,
for what Baraza uses of them. Real loopback HTTP, no mocks.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import telegram
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from bot.channels.telegram.startup import api_urls
from tests.fakes.telegram_api import BOT_ID, FakeBotApi
from tests.fakes.twilio_api import FakeTwilioApi

TOKEN = "123456:TEST-token"
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "secret-token"
ROOT = Path(__file__).resolve().parents[1]

# twilio 9.13's AsyncTwilioHttpClient passes aiohttp.BasicAuth as `auth=`, both deprecated in
# aiohttp 3.14: with filterwarnings=error every create_async would fail. Production code needs
# the same filters (or an http client subclass sending the Authorization header itself).
_AIOHTTP_AUTH_WARNINGS = (
    "ignore:BasicAuth is deprecated:DeprecationWarning",
    "ignore:The 'auth' parameter is deprecated:DeprecationWarning",
)


def twilio_aiohttp_basicauth(func: Any) -> Any:
    for spec in _AIOHTTP_AUTH_WARNINGS:
        func = pytest.mark.filterwarnings(spec)(func)
    return func


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    base_url, base_file_url = api_urls(api.base_url)
    b = Bot(TOKEN, base_url=base_url, base_file_url=base_file_url)
    async with b:
        yield b


@pytest.fixture
async def twilio_fake() -> AsyncIterator[FakeTwilioApi]:
    async with FakeTwilioApi() as fake:
        yield fake


@pytest.fixture
async def twilio_client(twilio_fake: FakeTwilioApi) -> AsyncIterator[Client]:
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=AsyncTwilioHttpClient())
    client.api.base_url = twilio_fake.base_url
    try:
        yield client
    finally:
        await client.http_client.close()


# ------------------------------------------------------------------ Telegram


async def test_get_me_on_initialize(api: FakeBotApi, bot: Bot) -> None:
    assert bot.id == BOT_ID
    assert bot.username == "baraza_test_bot"
    assert bot.bot.can_join_groups is True
    assert [c.method for c in api.calls] == ["getMe"]
    assert api.base_url.endswith("/bot") and api.base_url.startswith("http://127.0.0.1:")


async def test_send_message_records_parsed_params(api: FakeBotApi, bot: Bot) -> None:
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Yes", callback_data="q1:yes")],
         [InlineKeyboardButton("No", callback_data="q1:no")]]
    )  # fmt: skip
    msg = await bot.send_message(42, "Karibu! 123", reply_markup=markup)
    msg2 = await bot.send_message(42, "second")
    other = await bot.send_message(7, "other chat")

    assert isinstance(msg, telegram.Message)
    assert (msg.message_id, msg2.message_id, other.message_id) == (1, 2, 1)
    assert msg.chat.id == 42 and msg.chat.type == "private"
    assert msg.from_user is not None and msg.from_user.id == BOT_ID
    assert msg.text == "Karibu! 123"
    assert msg.reply_markup == markup
    assert isinstance(msg.date, dtm.datetime)

    sent = api.sent_messages(42)
    assert [s["text"] for s in sent] == ["Karibu! 123", "second"]
    assert sent[0]["chat_id"] == 42
    assert sent[0]["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Yes", "callback_data": "q1:yes"}],
            [{"text": "No", "callback_data": "q1:no"}],
        ]
    }
    assert len(api.sent_messages()) == 3
    calls = await api.wait_for("sendMessage", count=2, chat_id=42, timeout=0.1)
    assert len(calls) == 2


async def test_edit_and_callback_answer(api: FakeBotApi, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    other = InlineKeyboardMarkup([[InlineKeyboardButton("✅ A", callback_data="x")]])
    msg = await bot.send_message(5, "pick", reply_markup=markup)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(5, msg.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match="not found"):
        await bot.edit_message_reply_markup(chat_id=5, message_id=99, reply_markup=markup)
    again = await bot.edit_message_reply_markup(5, msg.message_id, reply_markup=other)
    assert isinstance(again, telegram.Message) and again.reply_markup == other
    await bot.edit_message_reply_markup(5, msg.message_id, reply_markup=None)
    assert "reply_markup" not in (api.message(5, msg.message_id) or {})
    assert await bot.answer_callback_query("123", text="ok") is True
    assert api.calls_to("answerCallbackQuery")[0].params == {
        "callback_query_id": "123",
        "text": "ok",
    }


async def test_429_surfaces_as_retry_after(api: FakeBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", "429", retry_after=1)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(42, "hi")
    assert os.environ["PTB_TIMEDELTA"] == "1"
    assert info.value.retry_after == dtm.timedelta(seconds=1)
    assert api.sent_messages() == []
    assert api.calls_to("sendMessage")[0].failed == "429"
    await bot.send_message(42, "hi again")  # one-shot fault is consumed
    assert [m["text"] for m in api.sent_messages(42)] == ["hi again"]


async def test_403_and_block_chat(api: FakeBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", "403", chat_id=42)
    await bot.send_message(43, "unaffected chat")
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(42, "hi")
    api.block_chat(9)
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(9, "hi")
    api.unblock_chat(9)
    await bot.send_message(9, "back")
    assert [m["text"] for m in api.sent_messages()] == ["unaffected chat", "back"]


async def test_500_400_and_unknown_method(api: FakeBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", "500")
    with pytest.raises(NetworkError):
        await bot.send_message(1, "x")
    api.fail_next("sendMessage", "400")
    with pytest.raises(BadRequest):
        await bot.send_message(1, "x")
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{api.base_url}{TOKEN}/noSuchMethod", json={})
    assert r.status_code == 404
    assert r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_hang_times_out_client_and_stop_releases_it() -> None:
    fake = FakeBotApi()
    await fake.start()
    b = Bot(TOKEN, base_url=fake.base_url, request=HTTPXRequest(read_timeout=0.3))
    try:
        await b.initialize()
        fake.fail_next("sendMessage", "hang")
        with pytest.raises(TimedOut):
            await b.send_message(1, "x")

        # a request still hanging when the fake stops is answered (504) and the stop is quick
        fake.fail_next("sendMessage", "hang")
        pending = asyncio.create_task(b.send_message(1, "y", read_timeout=30))
        await fake.wait_for("sendMessage", count=2, include_failed=True)
        await fake.stop()
        with pytest.raises(NetworkError, match="Gateway Timeout"):
            await pending
        assert [c.failed for c in fake.calls_to("sendMessage")] == ["hang", "hang"]
    finally:
        await b.shutdown()
        await fake.stop()


async def test_fault_rate_is_seeded(api: FakeBotApi, bot: Bot) -> None:
    api.set_fault_rate(0.5, kinds=("500",), seed=1)
    outcomes = []
    for i in range(10):
        try:
            await bot.send_message(1, f"m{i}")
            outcomes.append("ok")
        except NetworkError:
            outcomes.append("500")
    assert "ok" in outcomes and "500" in outcomes
    assert len(api.sent_messages()) == outcomes.count("ok")
    assert [c.failed for c in api.calls_to("sendMessage")] == [
        None if o == "ok" else "500" for o in outcomes
    ]
    await bot.get_me()  # not a send*: never failed by the rate
    api.set_fault_rate(0.0)


async def test_push_message_get_updates(api: FakeBotApi, bot: Bot) -> None:
    api.push_message(42, "/start join", language_code="sw", username="ada")
    api.push_message(42, "Habari")
    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [1, 2]
    first = updates[0].message
    assert first is not None and first.from_user is not None
    assert first.from_user.language_code == "sw"
    assert first.from_user.username == "ada"
    assert first.chat.id == 42 and first.chat.type == "private"
    assert first.text == "/start join"
    assert first.parse_entities() == {first.entities[0]: "/start"}
    assert first.entities[0].type == telegram.MessageEntity.BOT_COMMAND
    assert updates[1].message is not None and updates[1].message.message_id == 2
    assert api.delivered_update_ids == [1, 2]


async def test_get_updates_offset_confirms_and_long_polls(api: FakeBotApi, bot: Bot) -> None:
    api.push_message(1, "a")
    api.push_message(1, "b")
    assert [u.update_id for u in await bot.get_updates()] == [1, 2]
    # offset=2 confirms update 1: it is gone for good
    assert [u.update_id for u in await bot.get_updates(offset=2)] == [2]
    assert [u.update_id for u in await bot.get_updates()] == [2]
    assert [u.update_id for u in await bot.get_updates(offset=3, timeout=0)] == []
    assert [u.update_id for u in await bot.get_updates(offset=1)] == []

    # long polling: returns [] after `timeout`, or the update that arrives meanwhile
    assert await bot.get_updates(offset=3, timeout=1) == ()
    polling = asyncio.create_task(bot.get_updates(offset=3, timeout=30))
    await api.wait_for("getUpdates", count=7)
    api.push_message(1, "c")
    assert [u.update_id for u in await polling] == [3]
    api.push_message(1, "d")
    api.push_message(1, "e")
    assert [u.update_id for u in await bot.get_updates(offset=4, limit=1)] == [4]


async def test_push_callback(api: FakeBotApi, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="vote:yes")]])
    sent = await bot.send_message(42, "Agree?", reply_markup=markup)
    api.push_callback(42, "vote:yes", message_id=sent.message_id, language_code="fr")
    api.push_callback(42, "stale", message_id=77)
    updates = await bot.get_updates(timeout=1)
    query = updates[0].callback_query
    assert query is not None
    assert query.data == "vote:yes"
    assert query.from_user.id == 42 and query.from_user.language_code == "fr"
    assert isinstance(query.message, telegram.Message)
    assert query.message.message_id == sent.message_id
    assert query.message.text == "Agree?"
    assert query.message.from_user is not None and query.message.from_user.id == BOT_ID
    stale = updates[1].callback_query
    assert stale is not None and stale.message is not None
    assert stale.message.message_id == 77 and stale.message.chat.id == 42


async def test_webhook_methods(api: FakeBotApi, bot: Bot) -> None:
    api.push_message(1, "pending")
    assert await bot.set_webhook("https://example.test/hook", secret_token="s3cret")
    assert api.webhook["url"] == "https://example.test/hook"
    assert api.calls_to("setWebhook")[0].params["secret_token"] == "s3cret"
    with pytest.raises(telegram.error.Conflict):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert api.webhook == {"url": ""}
    assert [u.update_id for u in await bot.get_updates()] == [1]


async def test_commands(api: FakeBotApi, bot: Bot) -> None:
    cmds = [telegram.BotCommand("start", "Start"), telegram.BotCommand("help", "Help")]
    assert await bot.set_my_commands(cmds)
    assert await bot.set_my_commands([telegram.BotCommand("anza", "Anza")], language_code="sw")
    assert api.calls_to("setMyCommands")[0].params["commands"] == [
        {"command": "start", "description": "Start"},
        {"command": "help", "description": "Help"},
    ]
    default = json.dumps({"type": "default"}, sort_keys=True)
    assert [c["command"] for c in api.commands[(default, "sw")]] == ["anza"]


async def test_send_document_and_photo(api: FakeBotApi, bot: Bot) -> None:
    payload = b"id,answer\n1,yes\n" * 100
    msg = await bot.send_document(42, payload, filename="results.csv", caption="Results")
    assert msg.document is not None
    assert msg.document.file_name == "results.csv"
    assert msg.document.file_size == len(payload)
    assert msg.caption == "Results"
    params = api.calls_to("sendDocument")[0].params
    assert params["document"].content == payload
    assert params["document"].filename == "results.csv"
    assert params["chat_id"] == 42 and params["caption"] == "Results"

    photo = await bot.send_photo(42, b"\x89PNG fake", caption="chart")
    assert photo.photo and photo.photo[-1].file_size == len(b"\x89PNG fake")
    assert api.calls_to("sendPhoto")[0].params["photo"].content == b"\x89PNG fake"


# ------------------------------------------------------------------ Twilio


@twilio_aiohttp_basicauth
async def test_twilio_create_message(twilio_fake: FakeTwilioApi, twilio_client: Client) -> None:
    msg = await twilio_client.messages.create_async(
        to="+254700000001",
        from_="+15005550006",
        body="Habari, karibu",
        status_callback="https://example.test/sms/status",
    )
    assert msg.sid is not None and msg.sid.startswith("SM") and len(msg.sid) == 34
    assert msg.status == "queued" and msg.to == "+254700000001"
    assert msg.num_segments == "1"
    assert isinstance(msg.date_created, dtm.datetime)
    (sms,) = await twilio_fake.wait_for_messages(1, to="+254700000001")
    assert (sms.sid, sms.to, sms.from_, sms.body) == (
        msg.sid, "+254700000001", "+15005550006", "Habari, karibu"
    )  # fmt: skip
    assert sms.status_callback == "https://example.test/sms/status"
    assert sms.account_sid == ACCOUNT_SID
    await twilio_client.messages.create_async(
        to="+254700000002", messaging_service_sid="MG" + "1" * 32, body="x"
    )
    assert twilio_fake.messages[1].messaging_service_sid == "MG" + "1" * 32
    assert twilio_fake.messages[1].from_ is None


@twilio_aiohttp_basicauth
async def test_twilio_whatsapp_window(twilio_fake: FakeTwilioApi, twilio_client: Client) -> None:
    """Free-form messages to someone outside WhatsApp's 24-hour window are accepted and then
    fail (63016), as Twilio does; templates go through."""
    twilio_fake.outside_window.add("+14155550104")
    wa, us = "whatsapp:+14155550104", "whatsapp:+14155238886"
    await twilio_client.messages.create_async(to=wa, from_=us, body="Hello")
    await twilio_client.messages.create_async(
        to=wa, from_=us, content_sid="HX" + "1" * 32, content_variables='{"1": "Hello"}'
    )
    await twilio_client.messages.create_async(to="whatsapp:+14155550105", from_=us, body="Hi")
    assert [m.body for m in twilio_fake.undelivered] == ["Hello"]
    template, session = twilio_fake.messages
    assert (template.to, template.body, template.content_sid) == (wa, None, "HX" + "1" * 32)
    assert template.content_variables == {"1": "Hello"}
    assert (session.to, session.body, session.content_sid) == ("whatsapp:+14155550105", "Hi", None)
    twilio_fake.fail_next("63016")
    with pytest.raises(TwilioRestException) as info:
        await twilio_client.messages.create_async(to=wa, from_=us, body="again")
    assert info.value.code == 63016


@twilio_aiohttp_basicauth
async def test_twilio_faults(twilio_fake: FakeTwilioApi, twilio_client: Client) -> None:
    twilio_fake.fail_next("21610")
    with pytest.raises(TwilioRestException) as info:
        await twilio_client.messages.create_async(to="+254700000001", from_="+1500", body="a")
    assert info.value.code == 21610 and info.value.status == 400

    twilio_fake.fail_next("429", to="+254700000009")
    await twilio_client.messages.create_async(to="+254700000001", from_="+1500", body="b")
    with pytest.raises(TwilioRestException) as info:
        await twilio_client.messages.create_async(to="+254700000009", from_="+1500", body="c")
    assert info.value.status == 429 and info.value.code == 20429

    twilio_fake.fail_next("21211")
    with pytest.raises(TwilioRestException) as info:
        await twilio_client.messages.create_async(to="nonsense", from_="+1500", body="d")
    assert info.value.code == 21211

    twilio_fake.block_number("+254700000003")
    with pytest.raises(TwilioRestException) as info:
        await twilio_client.messages.create_async(to="+254700000003", from_="+1500", body="e")
    assert info.value.code == 21610

    assert [m.body for m in twilio_fake.messages] == ["b"]
    assert [a.fault for a in twilio_fake.attempts] == [
        "21610", None, "429", "21211", "21610"
    ]  # fmt: skip
    assert [a.status for a in twilio_fake.attempts] == [400, 201, 429, 400, 400]


async def test_twilio_requires_basic_auth(twilio_fake: FakeTwilioApi) -> None:
    url = f"{twilio_fake.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    data = {"To": "+1", "From": "+2", "Body": "x"}
    async with httpx.AsyncClient() as http:
        denied = await http.post(url, data=data)
        ok = await http.post(url, data=data, auth=(ACCOUNT_SID, AUTH_TOKEN))
        missing = await http.post(url, data={"From": "+2", "Body": "x"}, auth=("AC1", "t"))
    assert denied.status_code == 401 and denied.json()["code"] == 20003
    assert ok.status_code == 201 and ok.json()["sid"].startswith("SM")
    assert missing.status_code == 400 and missing.json()["code"] == 21604


@twilio_aiohttp_basicauth
async def test_twilio_hang_and_wait_timeout(
    twilio_fake: FakeTwilioApi, twilio_client: Client
) -> None:
    # AsyncTwilioHttpClient(timeout=...) is ignored by twilio 9.13 (aiohttp's 300 s default
    # applies): callers must bound create_async themselves.
    twilio_fake.fail_next("hang")
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await twilio_client.messages.create_async(to="+1", from_="+2", body="x")
    assert twilio_fake.attempts[0].fault == "hang"
    with pytest.raises(AssertionError, match="fault=hang"):
        await twilio_fake.wait_for_messages(1, timeout=0.1)
    await twilio_client.messages.create_async(to="+1", from_="+2", body="after")
    assert [m.body for m in twilio_fake.messages] == ["after"]


# ------------------------------------------------------------------ standalone mode


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def _post(url: str, body: dict[str, object]) -> object:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


@pytest.fixture
def standalone_telegram() -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.telegram_api", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "base_url=" in line, line + (proc.stderr.read() if proc.stderr else "")
        yield line.split("base_url=")[1].split()[0]
    finally:
        proc.terminate()
        proc.communicate(timeout=5)


def test_standalone_control_api(standalone_telegram: str) -> None:
    base_url = standalone_telegram
    root = base_url.removesuffix("/bot")
    update = _post(f"{root}/_control/message", {"user_id": 5, "text": "/start"})
    assert isinstance(update, dict) and update["update_id"] == 1
    got = _get(f"{base_url}{TOKEN}/getUpdates?timeout=0")
    assert isinstance(got, dict) and got["result"][0]["message"]["text"] == "/start"
    req = urllib.request.Request(
        f"{base_url}{TOKEN}/sendMessage", data=b"chat_id=5&text=hi", method="POST"
    )
    with urllib.request.urlopen(req, timeout=5) as r:
        assert json.loads(r.read())["result"]["text"] == "hi"
    calls = _get(f"{root}/_control/calls")
    assert isinstance(calls, list)
    assert [(c["method"], c["failed"]) for c in calls] == [
        ("getUpdates", None),
        ("sendMessage", None),
    ]
    assert calls[1]["params"] == {"chat_id": 5, "text": "hi"}


"""The whole loop through `baraza run`'s own serve(): a facilitator on Telegram polls,
two Telegram participants (fr, es) and one SMS participant (en) vote, the poll is closed
and shared back in each language, and the dashboard names the groups below target."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

from bot.config import Settings
from bot.runtime import Content
from bot.serve import serve
from tests import sql
from tests.conftest import make_settings
from tests.fakes import bind_loopback
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.twilio_api import FakeTwilioApi

ACCOUNT, TOKEN, FROM = "AC" + "1" * 32, "sms-secret", "+15005550006"
FACILITATOR = 7
POLL = (
    "/poll --urgent en: Which first? | Water | Roads || fr: Quoi d'abord ? | Eau | Routes"
    " || es: ¿Qué primero? | Agua | Caminos"
)


def free_port() -> int:
    with contextlib.closing(bind_loopback()) as sock:
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def baraza(
    tmp_path: Path, content: Content
) -> AsyncIterator[tuple[Settings, FakeBotApi, FakeTwilioApi]]:
    async with FakeBotApi() as tg, FakeTwilioApi() as sms:
        port = free_port()
        settings = make_settings(
            tmp_path,
            telegram_bot_token="123:ABC",
            telegram_api_url=tg.base_url,
            twilio_account_sid=ACCOUNT,
            twilio_auth_token=TOKEN,
            twilio_from_number=FROM,
            twilio_api_url=sms.base_url,
            twilio_mps=50,
            public_base_url=f"http://127.0.0.1:{port}",
            http_port=port,
            facilitators=f"telegram:{FACILITATOR}",
        )
        # The shipped dialogue's quiet hours (Nairobi nights) would hold the broadcasts
        # whenever the suite runs at night there; the loop is tested at any hour.
        awake = {
            c: d.model_copy(update={"quiet_hours": None}) for c, d in content.dialogues.items()
        }
        content = Content(content.library, content.tr, awake)
        stop = asyncio.Event()
        task = asyncio.create_task(serve(settings, content, stop))
        try:
            await tg.wait_for("getUpdates", timeout=60)
            yield settings, tg, sms
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)


async def text_sms(settings: Settings, number: str, body: str, sid: str) -> None:
    url = settings.public_base_url + "/sms/inbound"
    form = {"MessageSid": sid, "From": number, "To": FROM, "Body": body, "AccountSid": ACCOUNT}
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    async with httpx.AsyncClient() as http:
        r = await http.post(url, data=form, headers={"X-Twilio-Signature": signature})
    assert r.status_code == 200, r.text


async def until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def preview_of(tg: FakeBotApi, head: str) -> dict[str, Any] | None:
    """The facilitator's latest preview starting with `head`, as Telegram holds it."""
    found = None
    for i in range(1, 60):
        m = tg.message(FACILITATOR, i)
        if m is not None and m.get("text", "").startswith(head):
            found = m
    return found


def texts(sms: FakeTwilioApi, to: str) -> list[str]:
    """The SMS sent to `to`, oldest first (an SMS always has a body)."""
    bodies = []
    for m in sms.messages_to(to):
        assert m.body is not None, m
        bodies.append(m.body)
    return bodies


def votes(settings: Settings) -> list[tuple[str, int]]:
    with contextlib.closing(sql.lite(settings)) as conn:
        return list(
            conn.execute("SELECT value, count(*) FROM responses GROUP BY value ORDER BY value")
        )


async def test_poll_between_sessions_across_telegram_and_sms(
    tmp_path: Path, content: Content
) -> None:
    async with baraza(tmp_path, content) as (settings, tg, sms):
        fr, es, phone = 101, 102, "+15005550001"
        people = {fr: ("fr", ["oui", "2", "3"]), es: ("es", ["sí", "3", "1"])}
        for user, (lang, replies) in people.items():
            tg.push_message(user, "/start", language_code=lang)
            for reply in replies:
                n = len(tg.sent_messages(user))
                await tg.wait_for("sendMessage", count=n + 1, timeout=60, chat_id=user)
                tg.push_message(user, reply, language_code=lang)
        for i, reply in enumerate(["hello", "yes", "1", "2"]):
            await text_sms(settings, phone, reply, f"SM{i:032d}")
        await until(lambda: any("How old" in b for b in texts(sms, phone)))
        late = "+15005550002"  # joins, but only answers the poll after it closed
        for i, reply in enumerate(["hi", "yes", "1"]):
            await text_sms(settings, late, reply, f"SL{i:032d}")
        await until(lambda: any("Which group" in b for b in texts(sms, late)))

        tg.push_message(FACILITATOR, POLL)
        # a preview first, with Send / Cancel buttons: nothing goes out before Send
        await until(lambda: preview_of(tg, "Preview of your poll") is not None)
        preview = preview_of(tg, "Preview of your poll")
        assert preview is not None
        assert "To everyone in Water for all: <5 participants." in preview["text"]
        send, cancel = preview["reply_markup"]["inline_keyboard"][0]
        assert (send["text"], cancel["text"]) == ("Send", "Cancel")
        assert not any("Quoi d'abord" in m["text"] for m in tg.sent_messages(fr))
        tg.push_callback(FACILITATOR, send["callback_data"], message_id=preview["message_id"])
        await until(
            lambda: any("Poll 1 sent to <5" in m["text"] for m in tg.sent_messages(FACILITATOR))
        )
        await tg.wait_for("editMessageReplyMarkup", timeout=5)  # the buttons are gone
        await until(lambda: any("Quoi d'abord ?" in m["text"] for m in tg.sent_messages(fr)))
        await until(lambda: any("¿Qué primero?" in m["text"] for m in tg.sent_messages(es)))
        await until(lambda: any("Which first?" in b for b in texts(sms, phone)))
        # the poll comes with buttons on Telegram and as a numbered list by SMS
        poll_msg = next(
            m
            for i in range(1, 40)
            if (m := tg.message(fr, i)) is not None and "Quoi d'abord" in m.get("text", "")
        )
        assert poll_msg["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "p:1:0"
        assert "1 Water\n2 Roads" in next(
            b for b in texts(sms, phone) if "Which first?" in b
        )

        tg.push_callback(fr, "p:1:0", message_id=poll_msg["message_id"], language_code="fr")
        tg.push_message(es, "agua", language_code="es")
        await text_sms(settings, phone, "2", "SM-vote-1")
        await text_sms(settings, phone, "2", "SM-vote-1")  # Twilio retries: counted once
        await until(lambda: votes(settings) == [("0", 2), ("1", 1)])

        tg.push_message(FACILITATOR, "/close")
        await until(
            lambda: any("closed: <5 votes" in m["text"] for m in tg.sent_messages(FACILITATOR))
        )
        await text_sms(settings, late, "1", "SM-late")  # after the close: not counted, told so
        await until(lambda: any("poll is closed" in b for b in texts(sms, late)))
        tg.push_message(FACILITATOR, "/share")
        await until(lambda: preview_of(tg, "Preview of the results") is not None)
        tg.push_message(FACILITATOR, "/send")
        await until(
            lambda: any(
                "Results of poll 1 sent" in m["text"] for m in tg.sent_messages(FACILITATOR)
            )
        )
        # they are answering the flow: the results come with their next answer, before
        # the next question, never below it (3 votes: too few to show, and said so)
        tg.push_message(fr, "2", language_code="fr")
        await text_sms(settings, phone, "1", "SM-age")
        await until(lambda: any("Moins de 5 personnes" in m["text"] for m in tg.sent_messages(fr)))
        await until(lambda: any("Fewer than 5 people" in b for b in texts(sms, phone)))
        await until(lambda: texts(sms, phone)[-1].startswith("What is your gender?"))
        bodies = texts(sms, phone)
        shared = next(i for i, b in enumerate(bodies) if "Fewer than 5 people" in b)
        assert bodies[shared].startswith("Poll 1: Which first? Fewer than 5 people have voted")
        assert shared == len(bodies) - 2  # then the next question, last
        assert votes(settings) == [("0", 2), ("1", 1)]

        tg.push_message(FACILITATOR, "/dashboard")
        await tg.wait_for("sendPhoto", timeout=60)  # a chart: slow on a busy machine
        caption = tg.calls_to("sendPhoto")[-1].params["caption"]
        assert "Below target:" in caption and "Government: <5 of 12 expected" in caption
        # non-facilitators are refused, and nothing changes
        tg.push_message(fr, "/poll Hack | a | b", language_code="fr")
        await until(
            lambda: any("réservée aux facilitateurs" in m["text"] for m in tg.sent_messages(fr))
        )
        with contextlib.closing(sql.lite(settings)) as conn:
            assert conn.execute("SELECT count(*) FROM prompts").fetchone() == (1,)

"""WhatsApp through Twilio end to end: signed webhooks with `whatsapp:` addresses over real
loopback HTTP into the app, a real SQLite file, and the real twilio client sending to the
fake Twilio API, which keeps WhatsApp's 24-hour window (a free-form message to someone
outside it fails there, as it does at Twilio). The runner's clock is the test's, and so is
the WhatsApp transport's: "25 hours later" takes no time.

Join, consent, a flow, a poll, STOP; a broadcast to people outside the window waits until
they write (no template set) or goes as the template (WHATSAPP_TEMPLATE_SID).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from twilio.request_validator import RequestValidator

from bot.channels.sms.channel import SmsChannel
from bot.channels.sms.webhook import TwilioWebhooks
from bot.channels.whatsapp import window
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.config import Settings
from bot.delivery import Sender
from bot.runtime import Content, open_runner
from bot.turns import TurnRunner
from bot.web import build_app
from storage import windows
from tests import sql
from tests.conftest import make_settings
from tests.fakes import bind_loopback
from tests.fakes.twilio_api import FakeTwilioApi
from tests.people import Clock, broadcast, q, say, use_clock

ACCOUNT, TOKEN, SMS_FROM = "AC" + "2" * 32, "wa-secret", "+15005550006"
WA_FROM = "+14155238886"
TEMPLATE = "HX" + "a" * 32
ORG = "org"
ANA, BEN = "+14155550104", "+14155550105"


class _Server(uvicorn.Server):
    def capture_signals(self) -> contextlib.AbstractContextManager[None]:  # type: ignore[override]
        return contextlib.nullcontext()


@dataclass
class Rig:
    fake: FakeTwilioApi
    settings: Settings
    runner: TurnRunner
    clock: Clock
    http: httpx.AsyncClient
    sids: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**6)))

    async def post(self, path: str, form: dict[str, str]) -> httpx.Response:
        url = self.settings.public_base_url + path
        signature = RequestValidator(TOKEN).compute_signature(url, form)
        return await self.http.post(path, data=form, headers={"X-Twilio-Signature": signature})

    async def write(self, sender: str, body: str) -> httpx.Response:
        """A message as Twilio posts it: `sender` is `whatsapp:+E164` or a plain number."""
        sid = f"SM{next(self.sids):032x}"
        whatsapp = sender.startswith("whatsapp:")
        form = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": ACCOUNT,
            "From": sender,
            "To": f"whatsapp:{WA_FROM}" if whatsapp else SMS_FROM,
            "Body": body,
            "NumMedia": "0",
        }
        if whatsapp:
            form |= {"ProfileName": "Ana", "WaId": sender.removeprefix("whatsapp:+")}
            self.fake.outside_window.discard(sender.removeprefix("whatsapp:"))
        return await self.post("/sms/inbound", form)

    async def say(self, number: str, body: str) -> list[str]:
        """ANA writes on WhatsApp; the bodies of the WhatsApp messages sent back."""
        before = len(self.fake.messages_to(f"whatsapp:{number}"))
        response = await self.write(f"whatsapp:{number}", body)
        assert response.status_code == 200, response.text
        await self.settle()
        return [m.body or "" for m in self.fake.messages_to(f"whatsapp:{number}")[before:]]

    async def settle(self, timeout: float = 30.0) -> None:
        """Until every message that can go now has gone (those waiting for a reply wait;
        the facilitator's, in the console, are read with `tests.people.screen`)."""
        deadline = time.monotonic() + timeout
        while await self.runner.db.read(
            "SELECT 1 FROM outbox o LEFT JOIN participants p ON p.id = o.participant_id"
            " WHERE o.channel != 'console' AND o.status IN ('queued', 'sending')"
            " AND o.wait_seen IS NULL"
            " AND (o.force = 1 OR p.stopped_at IS NULL) LIMIT 1"
        ):
            assert time.monotonic() < deadline, "the outbox did not drain"
            await asyncio.sleep(0.02)

    def outside_window(self) -> int:
        """The facilitator's preview figure: people a broadcast reaches outside the window."""
        with contextlib.closing(sql.lite(self.settings)) as conn:
            since = window.opened_since(self.clock())
            return windows.outside_window(conn, "whatsapp", "baraza", since)

    async def later(self, delta: timedelta) -> None:
        """Time passes: the window closes for those who last wrote `delta` ago."""
        self.clock.advance(delta)


@contextlib.asynccontextmanager
async def open_rig(tmp_path: Path, content: Content, **overrides: Any) -> AsyncIterator[Rig]:
    async with FakeTwilioApi() as fake, contextlib.AsyncExitStack() as stack:
        sock = bind_loopback()
        stack.callback(sock.close)
        port = sock.getsockname()[1]
        settings = make_settings(
            tmp_path,
            twilio_account_sid=ACCOUNT,
            twilio_auth_token=TOKEN,
            twilio_from_number=SMS_FROM,
            twilio_whatsapp_from=WA_FROM,
            twilio_api_url=fake.base_url,
            public_base_url=f"http://127.0.0.1:{port}",
            facilitators=f"console:{ORG}",
            **overrides,
        )
        # quiet hours would hold the broadcasts whenever the suite runs at night in Nairobi
        awake = {
            c: d.model_copy(update={"quiet_hours": None}) for c, d in content.dialogues.items()
        }
        runner = await open_runner(settings, Content(content.library, content.tr, awake))
        stack.push_async_callback(runner.db.close)
        clock = Clock()
        use_clock(runner, clock)
        webhooks = TwilioWebhooks(settings, runner)
        whatsapp = WhatsAppChannel(settings, runner, webhooks=webhooks)
        whatsapp.transport.clock = lambda: clock().timestamp()
        for channel in (SmsChannel(settings, runner, webhooks=webhooks), whatsapp):
            sender = Sender(runner.db, channel.transport, channel.limits, doorbell=runner.doorbell)
            await channel.start(sender)
            stack.push_async_callback(channel.stop)
            await stack.enter_async_context(sender)
        server = _Server(
            uvicorn.Config(
                build_app(webhooks.routes()),
                log_config=None,
                log_level="warning",
                access_log=False,
                lifespan="off",
                http="h11",
                ws="none",
            )
        )
        serving = asyncio.create_task(server.serve(sockets=[sock]))

        async def stop_web() -> None:
            server.should_exit = True
            await serving

        stack.push_async_callback(stop_web)
        while not server.started:
            assert not serving.done(), "the web app did not start"
            await asyncio.sleep(0.005)
        http = await stack.enter_async_context(
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10)
        )
        yield Rig(fake, settings, runner, clock, http)


async def join(rig: Rig, number: str) -> list[str]:
    """Hello, consent, English, civil society, 35-49, woman, rural: onboarding done."""
    said = [*await rig.say(number, "Hello")]
    for reply in ("1", "1", "2", "4", "1", "3"):
        said += await rig.say(number, reply)
    return said


async def test_join_consent_a_flow_a_poll_and_stop(tmp_path: Path, content: Content) -> None:
    tr = content.tr
    async with open_rig(tmp_path, content) as rig:
        said = await join(rig, ANA)
        assert said[0].startswith("Welcome to Baraza!")
        assert said[2] == f"{tr('en', 'onboarding-consent')}\n1 Yes\n2 No"
        assert said[-2:] == [tr("en", "onboarding-thanks"), tr("en", "explore-challenge")]
        sent = rig.fake.messages_to(f"whatsapp:{ANA}")
        assert {(m.from_, m.content_sid) for m in sent} == {(f"whatsapp:{WA_FROM}", None)}
        # the same number by SMS is someone else: two channels, two identities
        assert (await rig.write(ANA, "Hello")).status_code == 200
        await rig.settle()
        assert len(rig.fake.messages_to(ANA)) == 3
        assert q(rig.runner, "SELECT channel, address FROM addresses ORDER BY 1") == [
            ("sms", ANA),
            ("whatsapp", ANA),
        ]

        # a flow: her answers are stored as WhatsApp's
        assert await rig.say(ANA, "Water is far away") == [tr("en", "explore-causes")]
        answers = q(rig.runner, "SELECT step_id, value, channel FROM answers ORDER BY id")
        assert answers[0] == ("consent", "yes", "whatsapp")
        assert answers[-1] == ("challenge", "Water is far away", "whatsapp")

        # a poll, once she is at rest: a numbered list in a session message; she votes
        await rig.later(timedelta(minutes=16))
        await broadcast(rig.runner, ORG, "/poll Water or roads? | Water | Roads")
        await rig.settle()
        poll = rig.fake.messages_to(f"whatsapp:{ANA}")[-1]
        assert poll.body is not None and poll.body.startswith("Poll 1: Water or roads?")
        assert "1 Water\n2 Roads" in poll.body
        thanks = await rig.say(ANA, "2")
        assert thanks[0].startswith(tr("en", "vote-thanks", choice="Roads", id=1))
        assert q(rig.runner, "SELECT value FROM responses") == [("1",)]

        # STOP: told once, then nothing more, not even a broadcast
        assert await rig.say(ANA, "STOP") == [tr("en", "stopped")]
        await rig.later(timedelta(minutes=16))
        await broadcast(rig.runner, ORG, "/prompt What next?")
        assert await rig.say(ANA, "hello?") == []
        assert rig.outside_window() == 0  # a stopped person is not in any audience
    assert rig.fake.undelivered == []


async def test_outside_the_window_a_broadcast_waits_until_the_person_writes(
    tmp_path: Path, content: Content
) -> None:
    async with open_rig(tmp_path, content) as rig:
        await join(rig, ANA)
        await join(rig, BEN)
        await rig.later(timedelta(hours=23))
        await rig.say(BEN, "Roads")  # Ben writes again; Ana last wrote 23 hours ago
        await rig.later(timedelta(hours=2))
        rig.fake.outside_window.add(ANA)  # what Twilio knows: her window has closed
        assert rig.outside_window() == 1  # what the facilitator's preview says
        before = len(rig.fake.messages_to(f"whatsapp:{ANA}"))
        preview = await say(rig.runner, ORG, "/poll Water or roads? | Water | Roads")
        assert (
            "On WhatsApp, <5 people have not written for 24 hours: it waits until they"
            " write again" in preview[0]
        )
        await say(rig.runner, ORG, "/send")
        await rig.settle()
        to_ben = rig.fake.messages_to(f"whatsapp:{BEN}")[-1].body or ""
        assert to_ben.startswith("Poll 1: Water or roads?")  # inside his window
        assert len(rig.fake.messages_to(f"whatsapp:{ANA}")) == before  # hers waits
        ((waiting,),) = q(
            rig.runner, "SELECT count(*) FROM outbox WHERE status = 'queued' AND wait_seen != ''"
        )
        assert waiting == 1
        # she writes: inside the window again, the poll comes (as a session message)
        said = await rig.say(ANA, "No water in the dry season")
        assert any(s.startswith("Poll 1: Water or roads?") for s in said), said
        await rig.say(ANA, "1")
        assert sorted(v for (v,) in q(rig.runner, "SELECT value FROM responses")) == ["0"]
    assert rig.fake.undelivered == []  # nothing free-form ever went outside the window
    assert all(m.content_sid is None for m in rig.fake.messages)


async def test_outside_the_window_a_broadcast_goes_as_the_template(
    tmp_path: Path, content: Content
) -> None:
    async with open_rig(tmp_path, content, whatsapp_template_sid=TEMPLATE) as rig:
        await join(rig, ANA)
        await rig.later(timedelta(hours=25))
        rig.fake.outside_window.add(ANA)
        preview = await say(rig.runner, ORG, "/poll Water or roads? | Water | Roads")
        assert "they get it as your approved template" in preview[0]
        await say(rig.runner, ORG, "/send")
        await rig.settle()
        template = rig.fake.messages_to(f"whatsapp:{ANA}")[-1]
        assert (template.body, template.content_sid) == (None, TEMPLATE)
        text = template.content_variables["1"]
        assert text.startswith("Poll 1: Water or roads?") and "1 Water\n2 Roads" in text
        # her answer to the template is a vote, and the thanks is a session message
        thanks = await rig.say(ANA, "1")
        assert thanks[0].startswith(content.tr("en", "vote-thanks", choice="Water", id=1))
        assert q(rig.runner, "SELECT value FROM responses") == [("0",)]
    assert rig.fake.undelivered == []


async def test_twilio_refusing_a_message_for_the_window_holds_it_until_she_writes(
    tmp_path: Path, content: Content
) -> None:
    """Twilio may still answer 63016 ("outside the allowed window") for a message Baraza
    thought inside it (her last message 24 hours ago to the second): it waits, it does not
    fail, and it goes (first) when she writes again."""
    tr = content.tr
    async with open_rig(tmp_path, content) as rig:
        await join(rig, ANA)
        rig.fake.fail_next("63016")
        assert await rig.say(ANA, "Water is far away") == []
        ((error,),) = q(rig.runner, "SELECT error FROM outbox WHERE wait_seen IS NOT NULL")
        assert error == "twilio 63016: outside the 24-hour window"
        await rig.later(timedelta(minutes=1))
        assert await rig.say(ANA, "Nobody repairs the pumps") == [
            tr("en", "explore-causes"),
            tr("en", "explore-effects"),
        ]

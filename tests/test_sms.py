"""The SMS channel end to end: signed Twilio webhooks over real loopback HTTP into the
Starlette app under uvicorn, real SQLite, and the real twilio client sending to a local
fake of Twilio's REST API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
import unicodedata
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import phonenumbers
import pytest
import uvicorn
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from bot.channels.sms import gsm7
from bot.channels.sms.channel import SmsChannel
from bot.channels.sms.transport import sms_parts
from bot.channels.sms.webhook import EMPTY_TWIML, sender_of
from bot.config import Settings
from bot.delivery import Sender
from bot.engine.io import Message
from bot.phones import to_e164
from bot.runtime import Content, open_runner
from bot.turns import TurnRunner
from bot.web import MAX_BODY, build_app
from storage import outbox
from storage.conn import Conn
from tests.conftest import make_settings
from tests.fakes import bind_loopback
from tests.fakes.twilio_api import FakeTwilioApi

ACCOUNT = "AC" + "0" * 32
TOKEN = "secret"
FROM = "+15005550006"
TABLES = ("participants", "addresses", "inbound", "answers", "outbox")


class _Server(uvicorn.Server):
    """uvicorn in the test's loop, leaving pytest's signal handlers alone."""

    def capture_signals(self) -> contextlib.AbstractContextManager[None]:  # type: ignore[override]
        return contextlib.nullcontext()


def bare(text: str) -> str:
    """Without accents: the GSM-7 fallback may write "Cuál" as "Cual"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class Rig:
    fake: FakeTwilioApi
    settings: Settings
    runner: TurnRunner
    channel: SmsChannel
    http: httpx.AsyncClient
    sender: Sender
    sids: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**6)))

    async def start_sending(self) -> None:
        await self.sender.__aenter__()

    def url(self, path: str) -> str:
        return self.settings.public_base_url + path

    async def post(
        self,
        path: str,
        params: dict[str, str],
        *,
        signature: str | None = None,
        signed: dict[str, str] | None = None,
        sign_url: str | None = None,
    ) -> httpx.Response:
        """Post a form as Twilio does, signed over `signed` (default: the params) and
        `sign_url` (default: PUBLIC_BASE_URL + path) unless `signature` is given."""
        if signature is None:
            validator = RequestValidator(TOKEN)
            signature = validator.compute_signature(
                sign_url or self.url(path), signed if signed is not None else params
            )
        headers = {"X-Twilio-Signature": signature} if signature else {}
        return await self.http.post(path, data=params, headers=headers)

    def webhook(self, number: str, body: str, **extra: str) -> dict[str, str]:
        sid = f"SM{next(self.sids):032x}"
        return {
            "ToCountry": "US",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "SmsSid": sid,
            "SmsStatus": "received",
            "Body": body,
            "To": FROM,
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": ACCOUNT,
            "From": number,
            "ApiVersion": "2010-04-01",
            **extra,
        }

    async def sms(self, number: str, body: str, **extra: str) -> httpx.Response:
        return await self.post("/sms/inbound", self.webhook(number, body, **extra))

    async def pending(self) -> int:
        """Rows the sender still has to deliver (not those held back for a stopped person)."""
        rows = await self.runner.db.read(
            "SELECT count(*) FROM outbox o LEFT JOIN participants p ON p.id = o.participant_id"
            " WHERE o.channel = 'sms' AND o.status IN ('queued', 'sending')"
            " AND (o.force = 1 OR p.stopped_at IS NULL)"
        )
        return int(rows[0][0])

    async def settle(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while await self.pending():
            assert time.monotonic() < deadline, "the outbox did not drain"
            await asyncio.sleep(0.02)

    async def say(self, number: str, body: str) -> list[str]:
        """Send one SMS and return the bodies of every SMS sent back because of it."""
        before = len(self.fake.messages_to(number))
        response = await self.sms(number, body)
        assert response.status_code == 200, response.text
        await self.settle()
        return [m.body or "" for m in self.fake.messages_to(number)[before:]]

    async def counts(self) -> dict[str, int]:
        out = {}
        for table in TABLES:
            rows = await self.runner.db.read(f"SELECT count(*) FROM {table}")
            out[table] = int(rows[0][0])
        return out

    async def participant(self, number: str) -> Any:
        rows = await self.runner.db.read(
            "SELECT p.* FROM participants p JOIN addresses a ON a.participant_id = p.id"
            " WHERE a.channel = 'sms' AND a.address = ?",
            (number,),
        )
        assert len(rows) == 1
        return rows[0]

    async def enqueue(self, messages: list[tuple[str, str]], pid: str | None = None) -> None:
        """Queue (address, text) messages directly, as a facilitator's broadcast would."""

        def job(conn: Conn) -> None:
            for address, text in messages:
                outbox.enqueue(conn, pid, "sms", address, [Message(text)], "now")

        await self.runner.db.write(job)
        self.runner.doorbell.ring()


@contextlib.asynccontextmanager
async def open_rig(
    tmp_path: Path,
    content: Content,
    *,
    sending: bool = True,
    timeout: float = 5.0,
    **overrides: Any,
) -> AsyncIterator[Rig]:
    fake = FakeTwilioApi()
    async with fake:
        sock = bind_loopback()
        port = sock.getsockname()[1]
        values: dict[str, Any] = {
            "twilio_account_sid": ACCOUNT,
            "twilio_auth_token": TOKEN,
            "twilio_from_number": FROM,
            "twilio_api_url": fake.base_url,
            "public_base_url": f"http://127.0.0.1:{port}",
            "twilio_mps": 50,
        }
        values.update(overrides)
        settings = make_settings(tmp_path, **values)
        runner = await open_runner(settings, content)
        channel = SmsChannel(settings, runner, timeout=timeout)
        sender = Sender(runner.db, channel.transport, channel.limits, doorbell=runner.doorbell)
        await channel.start(sender)
        config = uvicorn.Config(
            build_app(channel.routes()),
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="h11",
            ws="none",
        )
        server = _Server(config)
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        rig: Rig | None = None
        try:
            while not server.started:
                assert not serving.done(), "the web app did not start"
                await asyncio.sleep(0.005)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
                rig = Rig(fake, settings, runner, channel, http, sender)
                if sending:
                    await rig.start_sending()
                yield rig
        finally:
            await sender.stop()
            server.should_exit = True
            await serving
            sock.close()
            await channel.stop()
            await runner.db.close()


@pytest.fixture
async def rig(tmp_path: Path, content: Content) -> AsyncIterator[Rig]:
    async with open_rig(tmp_path, content) as r:
        yield r


# --- joining and answering by SMS ------------------------------------------------------

ONBOARDING = {
    # language reply, then group, age, gender, area (numbers, a number word, an option text)
    "en": ["1", "Civil society", "4", "1", "3"],
    "fr": ["2", "deux", "4", "1", "3"],
    "es": ["3", "dos", "4", "Mujer", "3"],
}
NUMBERS = {"en": "+12025550123", "fr": "+221771234567", "es": "+573001234567"}


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
async def test_onboarding_by_sms(rig: Rig, content: Content, lang: str) -> None:
    tr, number = content.tr, NUMBERS[lang]
    first = await rig.sms(number, "Hello")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/xml")
    assert first.text == EMPTY_TWIML
    await rig.settle()
    welcome = [m.body or "" for m in rig.fake.messages_to(number)]
    assert len(welcome) == 3  # welcome, about, consent: each one SMS, in order
    assert welcome[0].startswith("Welcome to Baraza!")
    assert welcome[2] == f"{tr('en', 'onboarding-consent')}\n1 Yes\n2 No"

    language_q = await rig.say(number, "1")
    assert language_q == ["Language / Langue / Idioma:\n1 English\n2 Français\n3 Español"]

    lang_reply, *profile = ONBOARDING[lang]
    asked = [await rig.say(number, lang_reply)]
    for reply in profile:
        asked.append(await rig.say(number, reply))
    for sent, step in zip(asked, ["group", "age", "gender", "area"], strict=False):
        assert len(sent) == 1, sent
        assert bare(sent[0]).startswith(bare(tr(lang, f"onboarding-{step}")))
        assert bare(tr(lang, f"onboarding-{step}-prefer-not")) in bare(sent[0])
    last = asked[-1]
    assert len(last) == 2  # the end of onboarding, then explore's first question
    assert bare(last[0]) == bare(tr(lang, "onboarding-thanks"))
    assert bare(last[1]) == bare(tr(lang, "explore-challenge"))

    if lang == "fr":  # French is written to stay GSM-7: one 160-character SMS per question
        for body in [b for sent in asked for b in sent]:
            assert gsm7.segments(body) == gsm7.SegmentInfo("GSM-7", len(body), 1)
        assert asked[0][0].startswith("Quel est votre groupe ?\n1 Communauté\n2 Société civile")

    p = await rig.participant(number)
    assert p["language"] == lang
    answers = await rig.runner.db.read(
        "SELECT step_id, value FROM answers WHERE participant_id = ? ORDER BY id", (p["id"],)
    )
    assert [tuple(a) for a in answers] == [
        ("consent", "yes"),
        ("language", lang),
        ("group", "civil-society"),
        ("age", "35-49"),
        ("gender", "woman"),
        ("area", "rural"),
    ]
    assert {(m.from_, m.status_callback) for m in rig.fake.messages_to(number)} == {
        (FROM, rig.url("/sms/status"))
    }


async def test_the_number_is_stored_only_as_an_address(rig: Rig) -> None:
    number = "+254712345678"
    await rig.say(number, "Habari")
    await rig.say(number, "yes")
    hits = {}
    for table in TABLES:
        rows = await rig.runner.db.read(f"SELECT * FROM {table}")
        hits[table] = sum(number in str(tuple(r)) for r in rows)
    assert hits == {"participants": 0, "addresses": 1, "inbound": 0, "answers": 0, "outbox": 0}


def test_twilio_numbers_are_the_address_read_without_parsing_them_again() -> None:
    """A From in E.164 is taken as it is (no parsing per webhook): for every region's
    example numbers that is the address `to_e164` gives, so nobody gets a second one."""
    seen = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, PhoneNumberFormat.E164)
            national = phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL)
            assert sender_of(e164, "US") == ("sms", to_e164(e164)), region
            assert sender_of(f"whatsapp:{e164}", "US") == ("whatsapp", e164)
            assert sender_of(national, region) == ("sms", to_e164(national, region)), region
            seen += 1
    assert seen > 400
    assert sender_of("not-a-number", "US") == ("sms", None)
    assert sender_of("+12", "US") == ("sms", None)


async def test_local_numbers_are_read_in_the_default_region(
    tmp_path: Path, content: Content
) -> None:
    async with open_rig(tmp_path, content, default_region="KE") as rig:
        assert (await rig.sms("0712 345 678", "Habari")).status_code == 200
        await rig.settle()
        assert len(rig.fake.messages_to("+254712345678")) == 3


# --- signatures and malformed requests ------------------------------------------------


async def test_the_webhook_answers_only_its_method(rig: Rig) -> None:
    """The webhooks are answered ahead of Starlette's router (`bot.web.Shortcuts`), by
    path and method: another method still gets the router's 405, and nothing is kept;
    the signed POST beside it goes through."""
    before = await rig.counts()
    params = rig.webhook("+15005550006", "Hello")
    for method in ("GET", "PUT", "DELETE"):
        response = await rig.http.request(method, "/sms/inbound", params=params)
        assert response.status_code == 405, method
    assert await rig.counts() == before
    assert (await rig.sms("+15005550006", "Hello")).status_code == 200
    assert (await rig.counts())["inbound"] == before["inbound"] + 1


async def test_bad_signatures_are_refused_and_nothing_is_stored(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    number = "+12025550123"
    params = rig.webhook(number, "Hello")
    forged = RequestValidator("not-the-token").compute_signature(rig.url("/sms/inbound"), params)
    tampered = {**params, "Body": "STOP"}
    other_path = rig.url("/sms/status")
    cases = {
        "forged": await rig.post("/sms/inbound", params, signature=forged),
        "missing": await rig.post("/sms/inbound", params, signature=""),
        "changed body": await rig.post("/sms/inbound", tampered, signed=params),
        "extra field": await rig.post(
            "/sms/inbound", {**params, "OptOutType": "STOP"}, signed=params
        ),
        "other url": await rig.post("/sms/inbound", params, sign_url=other_path),
    }
    assert {k: r.status_code for k, r in cases.items()} == dict.fromkeys(cases, 403)
    refusals = [r for r in caplog.records if r.name == "bot.channels.sms"]
    assert len(refusals) == len(cases)
    assert all(r.levelno == logging.WARNING for r in refusals)
    assert await rig.counts() == dict.fromkeys(TABLES, 0)
    await asyncio.sleep(0.1)
    assert rig.fake.attempts == []
    # the genuine request still works afterwards, and only once
    assert (await rig.post("/sms/inbound", params)).status_code == 200
    counts = await rig.counts()
    assert (counts["participants"], counts["inbound"]) == (1, 1)


async def test_signature_of_a_proxied_url_with_a_query(tmp_path: Path, content: Content) -> None:
    public = "https://baraza.example.org/hooks"
    async with open_rig(tmp_path, content, public_base_url=public) as rig:
        params = rig.webhook("+12025550123", "Hello")
        ok = await rig.post(
            "/sms/inbound?dialogue=x", params, sign_url=f"{public}/sms/inbound?dialogue=x"
        )
        assert ok.status_code == 200
        direct = f"{rig.http.base_url}/sms/inbound?dialogue=x"
        again = rig.webhook("+12025550124", "Hello")
        refused = await rig.post("/sms/inbound?dialogue=x", again, sign_url=direct)
        assert refused.status_code == 403
        assert (await rig.counts())["participants"] == 1


@pytest.mark.parametrize(
    ("public", "signed_for"),
    [
        ("https://baraza.example.org", "https://baraza.example.org:443"),
        ("https://baraza.example.org:443", "https://baraza.example.org"),
    ],
)
async def test_a_signature_with_or_without_the_port_is_accepted(
    tmp_path: Path, content: Content, public: str, signed_for: str
) -> None:
    """Twilio signs some webhooks with the port and some without (twilio's `validate`
    accepts both): the quick check of the URL as called must fall back to it."""
    async with open_rig(tmp_path, content, public_base_url=public) as rig:
        params = rig.webhook("+12025550123", "Hello")
        ok = await rig.post("/sms/inbound", params, sign_url=f"{signed_for}/sms/inbound")
        assert ok.status_code == 200
        other = rig.webhook("+12025550124", "Hello")
        wrong_port = await rig.post(
            "/sms/inbound", other, sign_url="https://baraza.example.org:8443/sms/inbound"
        )
        assert wrong_port.status_code == 403
        assert (await rig.counts())["participants"] == 1


async def test_repeated_fields_are_all_signed(rig: Rig) -> None:
    params = rig.webhook("+12025550123", "Hello")
    repeated = [*params.items(), ("Extra", "b"), ("Extra", "a")]
    signature = RequestValidator(TOKEN).compute_signature(
        rig.url("/sms/inbound"),
        ImmutableMultiDict(repeated),  # FormData's base class
    )
    headers = {"X-Twilio-Signature": signature}
    changed = [*params.items(), ("Extra", "b"), ("Extra", "c")]
    refused = await rig.http.post("/sms/inbound", data=_form(changed), headers=headers)
    assert refused.status_code == 403
    accepted = await rig.http.post("/sms/inbound", data=_form(repeated), headers=headers)
    assert accepted.status_code == 200


def _form(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


async def test_malformed_requests(rig: Rig) -> None:
    signed_json = RequestValidator(TOKEN).compute_signature(rig.url("/sms/inbound"), {})
    cases = {
        "invalid number": (await rig.sms("not-a-number", "Hello")).status_code,
        "too short": (await rig.sms("+1234", "Hello")).status_code,
        "short code": (await rig.sms("88000", "Hello")).status_code,
        "no sid": (
            await rig.post("/sms/inbound", {"From": "+12025550123", "Body": "Hello"})
        ).status_code,
        "json": (
            await rig.http.post(
                "/sms/inbound", json={"From": "+1"}, headers={"X-Twilio-Signature": signed_json}
            )
        ).status_code,
        "not utf-8": (
            await rig.http.post(
                "/sms/inbound",
                content=b"Body=%FF%FE&From=%2B12025550123",
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": signed_json,
                },
            )
        ).status_code,
        "too large": (await rig.sms("+12025550123", "x" * (MAX_BODY + 1))).status_code,
    }
    assert cases == {
        "invalid number": 400,
        "too short": 400,
        "short code": 400,
        "no sid": 400,
        "json": 400,
        "not utf-8": 400,
        "too large": 413,
    }
    assert await rig.counts() == dict.fromkeys(TABLES, 0)


async def test_a_redelivered_message_is_applied_once(rig: Rig) -> None:
    number = "+33612345678"
    await rig.say(number, "Bonjour")
    params = rig.webhook(number, "1")
    responses = [await rig.post("/sms/inbound", params) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert {r.text for r in responses} == {EMPTY_TWIML}
    await rig.settle()
    bodies = [m.body or "" for m in rig.fake.messages_to(number)]
    assert len(bodies) == 4 and bodies[3].startswith("Language / Langue / Idioma:")
    counts = await rig.counts()
    assert (counts["inbound"], counts["answers"]) == (2, 1)


async def test_a_message_the_database_cannot_take_is_refused_503_and_applied_when_sent_again(
    rig: Rig,
) -> None:
    """The database refusing writes (a full disk, a lock held too long): the webhook says
    503 with a clear log line instead of a crash's 500, nothing is half stored, and the
    same webhook sent again once it can (Twilio's retry) is applied once."""
    number = "+33612345678"
    await rig.say(number, "Bonjour")
    db = rig.runner.db
    write = db.write

    async def refusing(fn: Any) -> Any:
        if getattr(fn, "groups_rows", False):  # turns only
            raise sqlite3.OperationalError("database or disk is full")
        return await write(fn)

    db.write = refusing  # type: ignore[method-assign]
    params = rig.webhook(number, "1")
    refused = await rig.post("/sms/inbound", params)
    assert (refused.status_code, refused.text) == (503, "try again later")
    assert (await rig.counts())["inbound"] == 1
    db.write = write  # type: ignore[method-assign]
    again = await rig.post("/sms/inbound", params)
    assert again.status_code == 200
    await rig.settle()
    counts = await rig.counts()
    assert (counts["inbound"], counts["answers"]) == (2, 1)


# --- STOP and friends -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "extra"),
    [("STOP", {}), ("ARRÊT", {}), ("alto", {}), ("Please leave me alone", {"OptOutType": "STOP"})],
    ids=["STOP", "ARRET", "ALTO", "OptOutType"],
)
async def test_stop_cancels_and_silences(
    tmp_path: Path, content: Content, body: str, extra: dict[str, str]
) -> None:
    number = "+12025550123"
    async with open_rig(tmp_path, content, sending=False) as rig:
        assert (await rig.sms(number, "Hello")).status_code == 200  # 3 messages queued
        assert (await rig.sms(number, body, **extra)).status_code == 200
        p = await rig.participant(number)
        assert p["stopped_at"] is not None
        await rig.start_sending()
        await rig.settle()
        stopped = content.tr("en", "stopped")
        assert [m.body for m in rig.fake.messages_to(number)] == [stopped]
        statuses = await rig.runner.db.read("SELECT status FROM outbox ORDER BY id")
        assert [r[0] for r in statuses] == ["cancelled"] * 3 + ["sent"]

        # nothing more goes out: not an answer, not a broadcast
        assert (await rig.sms(number, "1")).status_code == 200
        await rig.enqueue([(number, "A new poll!")], pid=p["id"])
        await asyncio.sleep(0.3)
        assert len(rig.fake.messages_to(number)) == 1

        if extra:  # and Twilio's START brings them back
            assert (await rig.sms(number, "Unstop", OptOutType="START")).status_code == 200
            await rig.settle()
            assert (await rig.participant(number))["stopped_at"] is None
            assert len(rig.fake.messages_to(number)) > 1


async def test_twilio_opt_out_error_stops_the_participant(rig: Rig) -> None:
    number = "+12025550123"
    rig.fake.block_number(number)
    assert (await rig.sms(number, "Hello")).status_code == 200
    await rig.settle()
    assert (await rig.participant(number))["stopped_at"] is not None
    rows = await rig.runner.db.read("SELECT status, error FROM outbox ORDER BY id")
    assert [tuple(r) for r in rows] == [("failed", "twilio 21610")] + [("cancelled", None)] * 2
    assert rig.fake.messages == []


# --- sending: segments, pacing, faults ----------------------------------------------------

LONG = (
    "Thank you all for coming to the second baraza on water. Here is what you told us. "
    "Most of you said the wells are too far from the villages and often dry in March. "
    "Many asked for a water committee with women and young people on it. "
    "The county promised to repair two boreholes before the rains. "
    "We will meet again on Saturday at the market hall at 10."
)


async def test_a_long_message_goes_out_in_parts_in_order(rig: Rig) -> None:
    number = "+254712345678"
    greek = "Καλημέρα! " * 20  # no GSM-7 fallback for these letters: UCS-2, 67 per part
    await rig.enqueue([(number, LONG), ("+254712345679", greek)])
    await rig.settle()
    parts = [m.body or "" for m in rig.fake.messages_to(number)]
    assert parts == sms_parts(Message(LONG), fallback=True)
    assert len(parts) == 3 and " ".join(parts) == LONG
    assert all(gsm7.segments(p) == gsm7.SegmentInfo("GSM-7", len(p), 1) for p in parts)
    greek_parts = [m.body or "" for m in rig.fake.messages_to("+254712345679")]
    assert len(greek_parts) == 3
    assert all(gsm7.segments(p).segments == 1 for p in greek_parts)
    assert " ".join(greek_parts) == greek.strip()
    # the row keeps the last part's id, for Twilio's delivery report
    rows = await rig.runner.db.read("SELECT provider_id FROM outbox ORDER BY id")
    assert rows[0][0] == rig.fake.messages_to(number)[-1].sid


async def test_a_failed_part_is_retried_without_resending_earlier_parts(rig: Rig) -> None:
    number = "+254712345678"
    parts = sms_parts(Message(LONG), fallback=True)
    rig.fake.faults.add("500", 1, lambda info: info.get("Body") == parts[1])
    await rig.enqueue([(number, LONG)])
    await rig.settle()
    assert [m.body for m in rig.fake.messages_to(number)] == parts
    assert [(a.params["Body"], a.status) for a in rig.fake.attempts] == [
        (parts[0], 201),
        (parts[1], 500),
        (parts[1], 201),
        (parts[2], 201),
    ]


async def test_every_message_is_delivered_after_a_burst_of_429(rig: Rig) -> None:
    rig.fake.fail_next("429", times=6)
    messages = [(f"+2547123456{i:02d}", f"Message {i}") for i in range(8)]
    await rig.enqueue(messages)
    await rig.settle(timeout=60)
    assert sorted(m.body or "" for m in rig.fake.messages) == sorted(t for _, t in messages)
    assert sum(a.status == 429 for a in rig.fake.attempts) == 6
    rows = await rig.runner.db.read("SELECT DISTINCT status FROM outbox")
    assert [r[0] for r in rows] == ["sent"]


async def test_a_server_error_is_retried_and_delivered_once(rig: Rig) -> None:
    rig.fake.fail_next("500")
    await rig.enqueue([("+254712345678", "Habari")])
    await rig.settle()
    assert [m.body for m in rig.fake.messages] == ["Habari"]
    assert [a.status for a in rig.fake.attempts] == [500, 201]


async def test_a_hanging_api_call_times_out_and_is_retried(
    tmp_path: Path, content: Content
) -> None:
    async with open_rig(tmp_path, content, timeout=2.0) as rig:  # a hang: 2 s
        rig.fake.fail_next("hang")
        await rig.enqueue([("+254712345678", "Habari")])
        await rig.settle()
        assert [m.body for m in rig.fake.messages] == ["Habari"]
        assert [a.fault for a in rig.fake.attempts] == ["hang", None]


async def test_an_invalid_recipient_is_refused_for_good(rig: Rig) -> None:
    rig.fake.fail_next("21211")
    await rig.enqueue([("+254712345678", "Habari")])
    await rig.settle()
    rows = await rig.runner.db.read("SELECT status, error FROM outbox")
    assert [tuple(r) for r in rows] == [("failed", "twilio 21211")]


# --- delivery reports ----------------------------------------------------------------


async def test_status_callbacks_record_delivery(rig: Rig) -> None:
    await rig.say("+12025550123", "Hello")
    sids = [m.sid for m in rig.fake.messages]
    assert len(sids) == 3

    def report(sid: str, status: str, **extra: str) -> dict[str, str]:
        return {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
                "AccountSid": ACCOUNT, "From": FROM, "To": "+12025550123", **extra}  # fmt: skip

    responses = [
        await rig.post("/sms/status", report(sids[0], "delivered")),
        await rig.post("/sms/status", report(sids[1], "undelivered", ErrorCode="30003")),
        await rig.post("/sms/status", report(sids[2], "sent")),
        await rig.post("/sms/status", report("SM" + "f" * 32, "delivered")),
    ]
    assert [r.status_code for r in responses] == [200] * 4
    forged = await rig.post("/sms/status", report(sids[2], "failed"), signature="bad")
    assert forged.status_code == 403
    rows = await rig.runner.db.read("SELECT delivery, error FROM outbox ORDER BY id")
    assert [tuple(r) for r in rows] == [
        ("delivered", None),
        ("undelivered", "twilio 30003"),
        (None, None),
    ]

"""Twilio's webhooks, for SMS and WhatsApp alike: signed forms in, turns and reports out.

`POST /sms/inbound` turns a message webhook into one turn and answers with empty TwiML
once the turn is committed; replies always go through the outbox, never in the TwiML. A
`From` of `whatsapp:+E164` is the WhatsApp channel's person, a plain number the SMS
channel's: two identities, never merged. `POST /sms/status` records delivery reports.
Both refuse (403) a request whose `X-Twilio-Signature` does not match the auth token, the
URL Twilio called and every posted parameter.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from urllib.parse import unquote_plus

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute
from twilio.request_validator import RequestValidator

from bot.config import Settings
from bot.engine.io import Inbound
from bot.phones import mask, to_e164
from bot.turns import Envelope, TurnRunner
from bot.web import MAX_BODY, Direct

log = logging.getLogger("bot.channels.sms")

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
OPT_OUT_TYPES = frozenset({"STOP", "START", "HELP"})
"""Twilio's `OptOutType` (Advanced Opt-Out): when present it wins over the body."""
FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed", "read"})
"""Only final reports are kept: Twilio's callbacks may arrive out of order."""
MAX_FIELDS = 200
_E164 = re.compile(r"\+[1-9][0-9]{7,14}")
"""A number as Twilio writes it: +, the country code, at most 15 digits in all."""
MAX_BASES = 16
"""Base URLs remembered, one per (scheme, Host) seen: a proxy's and a tunnel's, say."""
WHATSAPP_PREFIX = "whatsapp:"

Report = Callable[[str, str, str | None], Awaitable[bool]]
"""(provider id, status, error) -> whether the message was known."""


_TWIML = Response(EMPTY_TWIML, media_type="text/xml")


def _twiml() -> Response:
    """The empty TwiML answer: one object for every webhook (a Response holds no state
    of its own request once built)."""
    return _TWIML


def _refuse(status: int, reason: str) -> Response:
    return PlainTextResponse(reason, status_code=status)


class SignedForm:
    """A posted form: every value of each field, in order (the signature covers them
    all), read as its last value (as a form's `get` reads it). Only what twilio's
    `RequestValidator` asks of it: its keys and `getall` (werkzeug's name)."""

    __slots__ = ("_values",)

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        values: dict[str, list[str]] = {}
        for key, value in pairs:
            values.setdefault(key, []).append(value)
        self._values = values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def getall(self, key: str) -> list[str]:
        return self._values[key]

    def get(self, key: str) -> str:
        values = self._values.get(key)
        return values[-1] if values else ""


def parse_form(body: bytes) -> SignedForm | None:
    """A url-encoded body as a multidict (repeated keys survive, for the signature);
    None if it is not valid UTF-8 or not a well-formed form: what `parse_qsl` with
    `strict_parsing` and `errors="strict"` reads, in about half its time (a field with
    nothing to decode is taken as it is; bench 2's form 24 -> 14 us)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text:
        return SignedForm([])
    fields = text.split("&")
    if len(fields) > MAX_FIELDS:
        return None
    pairs: list[tuple[str, str]] = []
    for item in fields:
        key, equals, value = item.partition("=")
        if not equals:
            return None
        if "%" in item or "+" in item:
            try:
                key = unquote_plus(key, errors="strict")
                value = unquote_plus(value, errors="strict")
            except UnicodeDecodeError:
                return None
        pairs.append((key, value))
    return SignedForm(pairs)


def inbound_from(form: SignedForm) -> Inbound:
    """What the participant did: Twilio's opt-out classification, else the text itself."""
    opt_out = form.get("OptOutType").strip().upper()
    if opt_out in OPT_OUT_TYPES:
        return Inbound(text=opt_out)
    return Inbound(text=form.get("Body"))


def sender_of(raw: str, default_region: str) -> tuple[str, str | None]:
    """(channel, E.164 number or None if invalid) for a webhook's `From`. Twilio sends
    numbers in E.164 (`+254712345678`, `whatsapp:+254712345678`): such a number is the
    address as it is. Anything else is read as a typed number would be (`to_e164`).
    Parsing every number again against phonenumbers' metadata took a quarter of the
    event loop's time per webhook (bench 2), and a number Twilio delivered from is real
    even before the library's metadata knows its range."""
    channel = "sms"
    if raw[: len(WHATSAPP_PREFIX)].lower() == WHATSAPP_PREFIX:
        channel, raw = "whatsapp", raw[len(WHATSAPP_PREFIX) :]
    if _E164.fullmatch(raw):
        return channel, raw
    return channel, to_e164(raw, default_region)


class TwilioWebhooks:
    """The two routes, served once for the SMS and WhatsApp channels."""

    def __init__(self, settings: Settings, runner: TurnRunner) -> None:
        self.settings = settings
        self.runner = runner
        self.validator = RequestValidator(settings.twilio_auth_token)
        self.channels = {
            name
            for name, enabled in (
                ("sms", settings.twilio_enabled),
                ("whatsapp", settings.whatsapp_enabled),
            )
            if enabled
        }
        self._bases: dict[tuple[str, str], str] = {}
        self.report: Report | None = None
        """Where delivery reports go (a Sender's `report`), once a channel has started."""

    def routes(self) -> list[BaseRoute]:
        return [
            Direct("/sms/inbound", self.inbound, "POST"),
            Direct("/sms/status", self.status, "POST"),
        ]

    async def inbound(self, request: Request) -> Response:
        form = await self._signed_form(request)
        if isinstance(form, Response):
            return form
        sid = form.get("MessageSid") or form.get("SmsSid")
        if not sid:
            return _refuse(400, "MessageSid missing")
        channel, address = sender_of(form.get("From"), self.settings.default_region)
        if address is None:
            log.warning("sms: refused message %s from an invalid number", sid)
            return _refuse(400, "From is not a valid phone number")
        if channel not in self.channels:
            log.warning("sms: refused message %s: the %s channel is not set up", sid, channel)
            return _refuse(400, f"{channel} is not set up here")
        try:
            outcome = await self.runner.handle(
                Envelope(channel, address, inbound_from(form), sid)
            )
        except self.runner.db.unavailable:
            log.error(
                "%s: message %s from %s not stored: the database is unavailable (answered"
                " 503; Twilio's message log keeps it)",
                channel,
                sid,
                mask(address),
                exc_info=True,
            )
            return _refuse(503, "try again later")
        if outcome.duplicate:
            log.info("%s: message %s from %s was already applied", channel, sid, mask(address))
        return _twiml()

    async def status(self, request: Request) -> Response:
        form = await self._signed_form(request)
        if isinstance(form, Response):
            return form
        sid = form.get("MessageSid") or form.get("SmsSid")
        status = (form.get("MessageStatus") or form.get("SmsStatus")).lower()
        if sid and status in FINAL_STATUSES and self.report is not None:
            code = form.get("ErrorCode")
            error = f"twilio {code}" if code and code != "0" else None
            if not await self.report(sid, status, error):
                log.info("sms: %s report for unknown message %s", status, sid)
        return _twiml()

    async def _signed_form(self, request: Request) -> SignedForm | Response:
        """The posted form if it is small, well formed and signed by Twilio; else the
        refusal to answer with (413, 400, 403)."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            return _refuse(413, "too large")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BODY:
                return _refuse(413, "too large")
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return _refuse(400, "expected a form")
        form = parse_form(chunks[0] if len(chunks) == 1 else b"".join(chunks))
        if form is None:
            return _refuse(400, "malformed form")
        signature = request.headers.get("x-twilio-signature", "")
        if not signature or not self.signed(self.signed_url(request), form, signature):
            log.warning(
                "sms: refused %s: %s X-Twilio-Signature",
                request.url.path,
                "wrong" if signature else "missing",
            )
            return _refuse(403, "invalid signature")
        return form

    def signed(self, url: str, form: SignedForm, signature: str) -> bool:
        """Whether `signature` is Twilio's for `url` and `form`. The URL as this request
        came is tried first, alone (one HMAC, not the two twilio's `validate` always
        computes); only if that fails, `validate`'s variants, with and without the port."""
        expected = self.validator.compute_signature(url, form)
        if hmac.compare_digest(expected.encode(), signature.encode()):
            return True
        valid: bool = self.validator.validate(url, form, signature)
        return valid

    def signed_url(self, request: Request) -> str:
        """The URL Twilio called: PUBLIC_BASE_URL (behind a proxy) or this request's own
        scheme and host, then the path and query string. The base a (scheme, Host)
        stands for is worked out by Starlette's URL once, not parsed again per webhook."""
        scope = request.scope
        base = self.settings.public_base_url.rstrip("/")
        if not base:
            key = (scope["scheme"], request.headers.get("host", ""))
            base = self._bases.get(key, "")
            if not base:
                url = request.url
                base = f"{url.scheme}://{url.netloc}"
                if len(self._bases) < MAX_BASES:  # Host is the caller's to choose
                    self._bases[key] = base
        query = scope.get("query_string", b"").decode()
        path: str = scope["path"]
        return base + path + (f"?{query}" if query else "")

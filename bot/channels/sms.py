"""The SMS channel (Twilio): signed webhooks in, the outbox out through the REST API.

`POST /sms/inbound` turns a Twilio message webhook into one turn and answers with empty
TwiML once the turn is committed; replies always go through the outbox, never in the
TwiML. `POST /sms/status` records delivery reports. Both refuse (403) a request whose
`X-Twilio-Signature` does not match the auth token, the URL Twilio called and every
posted parameter.
"""

from __future__ import annotations

import logging
from functools import partial
from urllib.parse import parse_qsl

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from twilio.request_validator import RequestValidator

from bot.channels.sms_transport import CHANNEL, DEFAULT_TIMEOUT, TwilioTransport
from bot.config import Settings
from bot.engine.io import Inbound
from bot.outbox import Sender
from bot.phones import mask, to_e164
from bot.turns import Envelope, TurnRunner
from bot.web import MAX_BODY
from storage import outbox

log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
OPT_OUT_TYPES = frozenset({"STOP", "START", "HELP"})
"""Twilio's `OptOutType` (Advanced Opt-Out): when present it wins over the body."""
FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed"})
"""Only final reports are kept: Twilio's callbacks may arrive out of order."""
MAX_FIELDS = 200


def _twiml() -> Response:
    return Response(EMPTY_TWIML, media_type="text/xml")


def _refuse(status: int, reason: str) -> Response:
    return PlainTextResponse(reason, status_code=status)


def _field(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


def parse_form(body: bytes) -> FormData | None:
    """A url-encoded body as a multidict (repeated keys survive, for the signature);
    None if it is not valid UTF-8 or not a well-formed form."""
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=True,
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except ValueError:  # UnicodeDecodeError included
        return None
    items: list[tuple[str, str | UploadFile]] = [(key, value) for key, value in pairs]
    return FormData(items)


def inbound_from(form: FormData) -> Inbound:
    """What the participant did: Twilio's opt-out classification, else the text itself."""
    opt_out = _field(form, "OptOutType").strip().upper()
    if opt_out in OPT_OUT_TYPES:
        return Inbound(text=opt_out)
    return Inbound(text=_field(form, "Body"))


class SmsChannel:
    name = CHANNEL

    def __init__(
        self, settings: Settings, runner: TurnRunner, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.settings = settings
        self.runner = runner
        self.validator = RequestValidator(settings.twilio_auth_token)
        self.transport = TwilioTransport(settings, timeout=timeout)
        self._sender: Sender | None = None

    async def start(self) -> None:
        await self.transport.open()

    async def stop(self) -> None:
        await self.transport.close()

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/sms/inbound", self.inbound, methods=["POST"]),
            Route("/sms/status", self.status, methods=["POST"]),
        ]

    def sender(self) -> Sender:
        if self._sender is None:
            self._sender = Sender(
                self.runner.db,
                self.transport,
                rate=self.settings.twilio_mps,
                per_address_interval=0,
                concurrency=4,
            )
        return self._sender

    # --- webhooks ---------------------------------------------------------------------

    async def inbound(self, request: Request) -> Response:
        form = await self._signed_form(request)
        if isinstance(form, Response):
            return form
        sid = _field(form, "MessageSid") or _field(form, "SmsSid")
        if not sid:
            return _refuse(400, "MessageSid missing")
        address = to_e164(_field(form, "From"), self.settings.default_region)
        if address is None:
            log.warning("sms: refused message %s from an invalid number", sid)
            return _refuse(400, "From is not a valid phone number")
        outcome = await self.runner.handle(Envelope(CHANNEL, address, inbound_from(form), sid))
        if outcome.duplicate:
            log.info("sms: message %s from %s was already applied", sid, mask(address))
        return _twiml()

    async def status(self, request: Request) -> Response:
        form = await self._signed_form(request)
        if isinstance(form, Response):
            return form
        sid = _field(form, "MessageSid") or _field(form, "SmsSid")
        status = (_field(form, "MessageStatus") or _field(form, "SmsStatus")).lower()
        if sid and status in FINAL_STATUSES:
            code = _field(form, "ErrorCode")
            error = f"twilio {code}" if code and code != "0" else None

            recorded = await self.runner.db.write(
                partial(outbox.delivery, provider_id=sid, status=status, error=error)
            )
            if not recorded:
                log.info("sms: %s report for unknown message %s", status, sid)
        return _twiml()

    async def _signed_form(self, request: Request) -> FormData | Response:
        """The posted form if it is small, well formed and signed by Twilio; else the
        refusal to answer with (413, 400, 403)."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            return _refuse(413, "too large")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return _refuse(413, "too large")
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return _refuse(400, "expected a form")
        form = parse_form(bytes(body))
        if form is None:
            return _refuse(400, "malformed form")
        signature = request.headers.get("x-twilio-signature", "")
        if not signature or not self.validator.validate(self.signed_url(request), form, signature):
            log.warning(
                "sms: refused %s: %s X-Twilio-Signature",
                request.url.path,
                "wrong" if signature else "missing",
            )
            return _refuse(403, "invalid signature")
        return form

    def signed_url(self, request: Request) -> str:
        """The URL Twilio called: PUBLIC_BASE_URL (behind a proxy) or this request's own
        scheme and host, then the path and query string."""
        url = request.url
        base = self.settings.public_base_url.rstrip("/") or f"{url.scheme}://{url.netloc}"
        return base + url.path + (f"?{url.query}" if url.query else "")


__all__ = ["CHANNEL", "EMPTY_TWIML", "SmsChannel", "inbound_from", "parse_form"]

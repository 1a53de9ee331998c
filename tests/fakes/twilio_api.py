"""A local fake of Twilio's REST Messages API (2010-04-01), for the twilio 9.x client: SMS,
and WhatsApp (`whatsapp:` addresses) with its 24-hour window.

In tests (same event loop; the async http client must be created inside the loop)::

    async with FakeTwilioApi() as fake:
        client = Client("AC" + "0" * 32, "token", http_client=AsyncTwilioHttpClient())
        client.api.base_url = fake.base_url          # i.e. settings.TWILIO_API_URL
        msg = await client.messages.create_async(to="+254700000001", from_="+15005550006",
                                                 body="Habari")
        await client.http_client.close()
        assert fake.messages[0].sid == msg.sid

WhatsApp: a free-form message (a Body) to a number in ``outside_window`` is accepted, as
Twilio does, and then fails with 63016 ("outside the allowed window"): it lands in
``undelivered``, not in ``messages``. A template (``ContentSid``) is delivered.

Standalone: ``python -m tests.fakes.twilio_api --port 8082`` serves until killed, with
``GET /_control/messages`` and ``GET /_control/attempts``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from email.utils import formatdate
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import FakeServer, FaultPlan, run_standalone

__all__ = ["FAULT_KINDS", "FakeTwilioApi", "SentSms", "SmsAttempt"]

API_VERSION = "2010-04-01"
FAULT_KINDS = frozenset({"429", "21610", "21211", "21611", "63016", "500", "hang"})

# (HTTP status, Twilio error code, message) per fault kind
_FAULTS: dict[str, tuple[int, int, str]] = {
    "429": (429, 20429, "Too Many Requests"),
    "21610": (400, 21610, "Attempt to send to unsubscribed recipient"),
    "21211": (400, 21211, "Invalid 'To' Phone Number"),
    "21611": (
        400,
        21611,
        "This 'From' number has exceeded the maximum number of queued messages",
    ),
    "63016": (
        400,
        63016,
        "Failed to send freeform message because you are outside the allowed window",
    ),
    "500": (500, 20500, "Internal Server Error"),
}
WHATSAPP = "whatsapp:"


@dataclass
class SentSms:
    """A message the fake accepted (HTTP 201)."""

    to: str
    from_: str | None
    body: str | None
    messaging_service_sid: str | None
    status_callback: str | None
    at: float
    sid: str
    account_sid: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def content_sid(self) -> str | None:
        """WhatsApp: the template sent (with ``content_variables``), instead of a body."""
        value = self.params.get("ContentSid")
        return value if isinstance(value, str) else None

    @property
    def content_variables(self) -> dict[str, Any]:
        raw = self.params.get("ContentVariables")
        return json.loads(raw) if isinstance(raw, str) else {}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SmsAttempt:
    """Any POST to Messages.json, accepted or not (``fault`` = injected kind or error)."""

    params: dict[str, Any]
    at: float
    status: int = 0
    fault: str | None = None
    sid: str | None = None

    @property
    def to(self) -> str | None:
        to = self.params.get("To")
        return to if isinstance(to, str) else None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _error(status: int, code: int, message: str) -> JSONResponse:
    # Legacy Twilio error body (no "type"/"title": the client then raises
    # TwilioRestException rather than TwilioServiceException).
    return JSONResponse(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status_code=status,
    )


def _rfc2822(ts: float) -> str:
    return formatdate(ts, usegmt=False).replace("-0000", "+0000")


class FakeTwilioApi(FakeServer):
    """Fake Twilio Messages API. Any credentials pass unless ``account_sid``/``auth_token``
    are given, but HTTP basic auth must be present."""

    name = "fake-twilio"

    def __init__(
        self, port: int = 0, *, account_sid: str | None = None, auth_token: str | None = None
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: list[SentSms] = []
        self.attempts: list[SmsAttempt] = []
        self.faults = FaultPlan()
        self.blocked_numbers: set[str] = set()
        self.outside_window: set[str] = set()
        """WhatsApp numbers (E.164) that have not written in the last 24 hours."""
        self.undelivered: list[SentSms] = []
        """Accepted, then failed (WhatsApp free-form outside the window: 63016)."""
        super().__init__(port)

    @property
    def base_url(self) -> str:
        """Put this in ``client.api.base_url`` (our ``TWILIO_API_URL``)."""
        return self.url

    # ---------------------------------------------------------------- recorded
    def messages_to(self, to: str) -> list[SentSms]:
        return [m for m in self.messages if m.to == to]

    async def wait_for_messages(
        self, count: int = 1, timeout: float = 30.0, to: str | None = None
    ) -> list[SentSms]:
        """Wait until ``count`` messages (to ``to``) were accepted; AssertionError on timeout."""

        def matching() -> list[SentSms]:
            return [m for m in self.messages if to is None or m.to == to]

        if not await self._wait_until(lambda: len(matching()) >= count, timeout):
            listing = "\n".join(
                f"  {a.at:.3f} {a.status} fault={a.fault} To={a.params.get('To')} "
                f"Body={a.params.get('Body')!r}"
                for a in self.attempts[-50:]
            )
            raise AssertionError(
                f"expected >= {count} SMS"
                + (f" to {to}" if to else "")
                + f" within {timeout}s, got {len(matching())}. Attempts:\n"
                + (listing or "  (none)")
            )
        return matching()

    # ---------------------------------------------------------------- faults
    def fail_next(self, kind: str, times: int = 1, to: str | None = None) -> None:
        """Answer the next ``times`` sends (to ``to``) with a fault: "429" (code 20429),
        "21610" (opted out), "21211" (invalid To), "21611" (queue full), "500", "hang"."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(FAULT_KINDS)}")

        def match(info: dict[str, Any]) -> bool:
            return to is None or info.get("To") == to

        self.faults.add(kind, times, match)

    def set_fault_rate(
        self, rate: float, kinds: Iterable[str] = ("429", "500", "hang"), seed: int = 0
    ) -> None:
        """Fail a random share ``rate`` of sends with one of ``kinds`` (seeded)."""
        kinds = tuple(kinds)
        if unknown := set(kinds) - FAULT_KINDS:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}")
        self.faults.set_rate(rate, kinds, seed)

    def clear_faults(self) -> None:
        self.faults.clear()
        self.blocked_numbers.clear()

    def block_number(self, to: str) -> None:
        """Every send to ``to`` fails with 21610 (recipient replied STOP) until unblocked."""
        self.blocked_numbers.add(to)

    def unblock_number(self, to: str) -> None:
        self.blocked_numbers.discard(to)

    # ---------------------------------------------------------------- HTTP app
    def build_app(self) -> Starlette:
        base = f"/{API_VERSION}/Accounts/{{account_sid}}/Messages"
        return Starlette(
            routes=[
                Route(f"{base}.json", self._create, methods=["POST"]),
                Route("/_control/messages", self._control_messages, methods=["GET"]),
                Route("/_control/attempts", self._control_attempts, methods=["GET"]),
            ]
        )

    def _check_auth(self, request: Request, account_sid: str) -> Response | None:
        header = request.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        try:
            user, sep, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            sep = ""
        if scheme.lower() != "basic" or not sep or not user or not password:
            return _error(401, 20003, "Authenticate")
        if (self.account_sid and user != self.account_sid) or (
            self.auth_token and password != self.auth_token
        ):
            return _error(401, 20003, "Authenticate")
        if self.account_sid and account_sid != self.account_sid:
            return _error(404, 20404, "The requested resource was not found")
        return None

    async def _create(self, request: Request) -> Response:
        at = time.monotonic()
        account_sid = request.path_params["account_sid"]
        params: dict[str, Any] = {}
        async with request.form() as form:
            for key, value in form.multi_items():
                if not isinstance(value, str):
                    continue
                if key in params:  # repeated keys, e.g. MediaUrl
                    prev = params[key]
                    params[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
                else:
                    params[key] = value
        attempt = SmsAttempt(params=params, at=at)
        self.attempts.append(attempt)
        try:
            response = await self._create_inner(request, account_sid, params, attempt, at)
        finally:
            self._notify()
        attempt.status = response.status_code
        return response

    async def _create_inner(
        self,
        request: Request,
        account_sid: str,
        params: dict[str, Any],
        attempt: SmsAttempt,
        at: float,
    ) -> Response:
        if (denied := self._check_auth(request, account_sid)) is not None:
            attempt.fault = "401"
            return denied
        fault = self.faults.take(params, rate_applies=True)
        kind = (
            fault[0] if fault else ("21610" if params.get("To") in self.blocked_numbers else None)
        )
        if kind is not None:
            attempt.fault = kind
            if kind == "hang":
                self._notify()
                await self._hang()
                return _error(504, 20504, "Gateway Timeout")
            status, code, message = _FAULTS[kind]
            return _error(status, code, message)

        to = params.get("To")
        from_ = params.get("From")
        service = params.get("MessagingServiceSid")
        body = params.get("Body")
        if not to:
            attempt.fault = "21604"
            return _error(400, 21604, "A 'To' phone number is required.")
        if not from_ and not service:
            attempt.fault = "21603"
            return _error(400, 21603, "A 'From' phone number is required.")
        if not body and not params.get("ContentSid"):
            attempt.fault = "21602"
            return _error(400, 21602, "Message body is required.")

        sid = "SM" + uuid.uuid4().hex
        now = _rfc2822(time.time())
        uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}.json"
        resource: dict[str, Any] = {
            "account_sid": account_sid,
            "api_version": API_VERSION,
            "body": body or "",
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": to,
            "uri": uri,
        }
        attempt.sid = sid
        record = SentSms(
            to=to,
            from_=from_,
            body=body,
            messaging_service_sid=service,
            status_callback=params.get("StatusCallback"),
            at=at,
            sid=sid,
            account_sid=account_sid,
            params=params,
        )
        if body and to.startswith(WHATSAPP) and to[len(WHATSAPP) :] in self.outside_window:
            self.undelivered.append(record)  # then a status callback: failed, 63016
        else:
            self.messages.append(record)
        return JSONResponse(resource, status_code=201)

    # ---------------------------------------------------------------- control API
    async def _control_messages(self, request: Request) -> Response:
        to = request.query_params.get("to")
        return JSONResponse([m.to_json() for m in self.messages if to is None or m.to == to])

    async def _control_attempts(self, request: Request) -> Response:
        return JSONResponse([a.to_json() for a in self.attempts])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake Twilio Messages API on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8082, help="0 picks a free port")
    args = parser.parse_args(argv)
    api = FakeTwilioApi()
    run_standalone(
        api,
        args.port,
        lambda: f"Fake Twilio API: base_url={api.base_url} control={api.url}/_control/",
    )


if __name__ == "__main__":
    main()

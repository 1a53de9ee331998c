"""Sending SMS through Twilio's REST API (or a Twilio-compatible one): the SMS Transport.

A message is rendered as numbered text, kept in GSM-7 where the fallback allows, and cut
into single-segment parts sent in order. The Sender paces parts in segments per second
(`throttle(1)` before each part) and this module turns Twilio's answers into the outbox's
errors: 429/20429 and queue-full codes wait and retry, 21610 means the number opted out,
other 4xx refuse the message, 5xx and network faults (timeouts included) retry.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.channels import gsm7
from bot.channels.text import render
from bot.config import Settings
from bot.engine.io import Message
from bot.outbox import Delivered, OptedOut, Rejected, RetryLater, Throttle
from storage.outbox import Outgoing

log = logging.getLogger(__name__)

CHANNEL = "sms"
DEFAULT_TIMEOUT = 15.0
"""Seconds one REST call may take before it counts as a network fault (and is retried)."""

OPTED_OUT = 21610
QUEUE_FULL = (20429, 21611, 30001)
"""Too many concurrent requests, sender queue full, queue overflow: slow down, retry."""
AUTH_PAUSE = 60.0


def sms_parts(message: Message, *, fallback: bool) -> list[str]:
    """The texts that go out for one message: numbered options, GSM-7 where it saves a
    segment (`fallback`), split into parts of one segment each, in order."""
    return gsm7.split(gsm7.prepare(render(message, "="), fallback=fallback))


class TwilioHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]
    """twilio's aiohttp client with a real request timeout and a plain Authorization header.

    twilio 9.13's client ignores its own `timeout` (aiohttp's 5 minute default applies, so
    a hanging API would stall a sender) and passes `aiohttp.BasicAuth`, deprecated in
    aiohttp 3.14.
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__(pool_connections=True, timeout=timeout, logger=log)

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        sent_headers = dict(headers or {})
        if auth is not None:
            pair = f"{auth[0]}:{auth[1]}".encode()
            sent_headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        session: aiohttp.ClientSession = self.session
        async with session.request(
            method.upper(),
            url,
            params=params,
            data=data,
            headers=sent_headers,
            timeout=aiohttp.ClientTimeout(total=timeout or self.timeout),
            allow_redirects=allow_redirects,
        ) as response:
            text = await response.text()
            return Response(response.status, text, response.headers)


def classify(status: int, code: int | None) -> RetryLater | OptedOut | Rejected:
    """The outbox error for a Twilio error answer (HTTP status, Twilio error code)."""
    if status == 429 or code in QUEUE_FULL:
        return RetryLater(f"twilio {code or status}", pause_all=True)
    if code == OPTED_OUT:
        return OptedOut(f"twilio {code}")
    if status == 401:
        # Wrong credentials fail every message alike: wait for the operator, drop nothing.
        # An outage, reported by the Sender's health once and then with backoff.
        return RetryLater(
            f"twilio {code or status}: credentials refused, check TWILIO_ACCOUNT_SID and "
            "TWILIO_AUTH_TOKEN",
            delay=AUTH_PAUSE,
            pause_all=True,
            outage=True,
        )
    if 400 <= status < 500:
        return Rejected(f"twilio {code or status}")
    return RetryLater(f"twilio {code or status}")


def _network(exc: BaseException, api_url: str) -> str:
    """A network fault as a reason: where, and what (no credentials: they go in a header)."""
    where = f"TWILIO_API_URL {api_url}" if api_url else "api.twilio.com"
    detail = str(exc) or ("timed out" if isinstance(exc, TimeoutError) else "")
    return f"network: {type(exc).__name__} at {where}" + (f": {detail}" if detail else "")


class TwilioTransport:
    """Delivers outbox rows by SMS. Open it inside the running loop; close it at the end."""

    channel = CHANNEL

    def __init__(self, settings: Settings, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.settings = settings
        self.timeout = timeout
        self.client: Client | None = None
        self._http: TwilioHttpClient | None = None
        self._parts_sent: dict[int, int] = {}
        """Row id -> parts already accepted, so a retried row resumes where it stopped.
        Kept in memory only: after a restart, a partly sent row is sent again in full."""

    async def open(self) -> None:
        s = self.settings
        self._http = TwilioHttpClient(self.timeout)
        self.client = Client(s.twilio_account_sid, s.twilio_auth_token, http_client=self._http)
        if s.twilio_api_url:
            self.client.api.base_url = s.twilio_api_url.rstrip("/")

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._http = self.client = None

    async def deliver(self, row: Outgoing, throttle: Throttle) -> Delivered:
        if not row.address:
            raise Rejected("no address")
        parts = sms_parts(row.message, fallback=self.settings.sms_gsm_fallback)
        sid: str | None = None
        try:
            for i in range(self._parts_sent.get(row.id, 0), len(parts)):
                await throttle(gsm7.segments(parts[i]).segments)
                sid = await self._send(row.address, parts[i])
                self._parts_sent[row.id] = i + 1
        except (OptedOut, Rejected):
            self._parts_sent.pop(row.id, None)
            raise
        self._parts_sent.pop(row.id, None)
        return Delivered(sid)

    def _params(self, to: str, body: str) -> dict[str, Any]:
        s = self.settings
        params: dict[str, Any] = {"to": to, "body": body}
        if s.twilio_from_number:
            params["from_"] = s.twilio_from_number
        else:
            params["messaging_service_sid"] = s.twilio_messaging_service_sid
        if s.public_base_url:
            params["status_callback"] = s.public_base_url.rstrip("/") + "/sms/status"
        return params

    async def _send(self, to: str, body: str) -> str | None:
        if self.client is None:
            raise RetryLater("sms transport not started")
        try:
            message = await self.client.messages.create_async(**self._params(to, body))
        except (TwilioRestException, TwilioServiceException) as exc:
            raise classify(int(exc.status), exc.code) from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise RetryLater(_network(exc, self.settings.twilio_api_url)) from exc
        sid = message.sid
        return str(sid) if sid else None

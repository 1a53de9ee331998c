"""Twilio's REST Messages API (or a Twilio-compatible one), shared by SMS and WhatsApp:
the async client, and what Twilio's answers mean for the `Sender`.

429/20429 and queue-full codes wait and retry (and pause the sender), 21610 means the
number opted out, 63016 (WhatsApp: outside the 24-hour window) waits for the person to
write, 401 waits for the operator, other 4xx refuse the message, 5xx and network faults
(timeouts included) retry.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.config import Settings
from bot.delivery import OptedOut, Rejected, RetryLater, SendError, WaitForReply

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 15.0
"""Seconds one REST call may take before it counts as a network fault (and is retried)."""
OPTED_OUT = 21610
QUEUE_FULL = (20429, 21611, 30001)
"""Too many concurrent requests, sender queue full, queue overflow: slow down, retry."""
OUTSIDE_WINDOW = 63016
AUTH_PAUSE = 60.0


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


def classify(status: int, code: int | None) -> SendError:
    """The delivery error for a Twilio error answer (HTTP status, Twilio error code)."""
    if status == 429 or code in QUEUE_FULL:
        return RetryLater(f"twilio {code or status}", pause_all=True)
    if code == OPTED_OUT:
        return OptedOut(f"twilio {code}")
    if code == OUTSIDE_WINDOW:
        return WaitForReply(f"twilio {code}: outside the 24-hour window")
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


class TwilioApi:
    """`create` one message. Open it inside the running loop; close it at the end."""

    def __init__(self, settings: Settings, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.settings = settings
        self.timeout = timeout
        self.client: Client | None = None
        self._http: TwilioHttpClient | None = None

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

    def status_callback(self) -> dict[str, str]:
        base = self.settings.public_base_url.rstrip("/")
        return {"status_callback": base + "/sms/status"} if base else {}

    async def create(self, **params: Any) -> str | None:
        """Send one message (twilio's `messages.create` parameters); its sid."""
        if self.client is None:
            raise RetryLater("twilio client not started")
        try:
            message = await self.client.messages.create_async(**params, **self.status_callback())
        except (TwilioRestException, TwilioServiceException) as exc:
            raise classify(int(exc.status), exc.code) from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise RetryLater(_network(exc, self.settings.twilio_api_url)) from exc
        sid = message.sid
        return str(sid) if sid else None


class Parts:
    """Parts of each delivery already accepted, so a retried delivery resumes where it
    stopped. Kept in memory only: after a restart, a partly sent message goes again."""

    def __init__(self) -> None:
        self._sent: dict[int, int] = {}

    async def send(
        self, key: int, parts: Sequence[str], send: Callable[[str], Awaitable[str | None]]
    ) -> str | None:
        """Send the parts not sent yet, in order; the last part's sid."""
        sid: str | None = None
        try:
            for i in range(self._sent.get(key, 0), len(parts)):
                sid = await send(parts[i])
                self._sent[key] = i + 1
        except (OptedOut, Rejected, WaitForReply):
            self._sent.pop(key, None)
            raise
        self._sent.pop(key, None)
        return sid

"""Sending WhatsApp messages through Twilio (`whatsapp:` addresses on both sides).

No segments: a message is its numbered text, in one message (split only past WhatsApp's
1,600 characters). Inside the 24-hour window it goes as a session (free-form) message;
outside it, as the pre-approved template `WHATSAPP_TEMPLATE_SID` (`ContentSid`, the text
as its variable `{{1}}`, no Body), or, with no template, it waits until the person writes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

from bot.channels.sms.twilio import Parts, TwilioApi
from bot.channels.text import render
from bot.channels.whatsapp import window
from bot.config import Settings
from bot.delivery import Delivered, Delivery, Rejected, Throttle, WaitForReply
from bot.engine.io import Message

CHANNEL = "whatsapp"
PREFIX = "whatsapp:"
MAX_BODY = 1600
"""Twilio's limit for one WhatsApp message body."""
MAX_VARIABLE = 1024
"""A template variable's limit."""


def address(number: str) -> str:
    """`+14155550104` -> `whatsapp:+14155550104` (a setting may carry the prefix already)."""
    number = number.strip()
    return number if number.lower().startswith(PREFIX) else PREFIX + number


def chunks(text: str, limit: int = MAX_BODY) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at a line or a space if any."""
    parts: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > 0 else limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*parts, text] if text or not parts else parts


class WhatsAppTransport:
    channel = CHANNEL

    def __init__(
        self, api: TwilioApi, settings: Settings, clock: Callable[[], float] = time.time
    ) -> None:
        self.api = api
        self.sender = address(settings.twilio_whatsapp_from)
        self.template = settings.whatsapp_template_sid
        self.clock = clock
        self._parts = Parts()

    async def deliver(self, delivery: Delivery, throttle: Throttle) -> Delivered:
        message = delivery.what
        if not isinstance(message, Message):
            raise Rejected(f"WhatsApp cannot show {type(message).__name__}")
        to = address(delivery.address)
        text = render(message)
        now = datetime.fromtimestamp(self.clock(), UTC)
        if window.is_open(delivery.last_inbound, now):

            async def session(part: str) -> str | None:
                await throttle(1)
                return await self.api.create(to=to, from_=self.sender, body=part)

            return Delivered(await self._parts.send(delivery.id, chunks(text), session))
        if not self.template:
            raise WaitForReply("outside the 24-hour window, and no WHATSAPP_TEMPLATE_SID")
        await throttle(1)
        variables = json.dumps({"1": text[:MAX_VARIABLE]}, ensure_ascii=False)
        sid = await self.api.create(
            to=to, from_=self.sender, content_sid=self.template, content_variables=variables
        )
        return Delivered(sid)

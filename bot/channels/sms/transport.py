"""Sending SMS: a message as numbered text, kept in GSM-7 where the fallback allows, cut
into single-segment parts sent in order. The Sender paces them in segments a second
(`throttle(segments)` before each part)."""

from __future__ import annotations

from bot.channels.sms import gsm7
from bot.channels.sms.twilio import Parts, TwilioApi
from bot.channels.text import render
from bot.config import Settings
from bot.delivery import Delivered, Delivery, Rejected, Throttle
from bot.engine.io import Message

CHANNEL = "sms"


def sms_parts(message: Message, *, fallback: bool) -> list[str]:
    """The texts that go out for one message: numbered options, GSM-7 where it saves a
    segment (`fallback`), split into parts of one segment each, in order."""
    return gsm7.split(gsm7.prepare(render(message, "="), fallback=fallback))


class SmsTransport:
    channel = CHANNEL

    def __init__(self, api: TwilioApi, settings: Settings) -> None:
        self.api = api
        self.settings = settings
        self._parts = Parts()

    def _sender(self) -> dict[str, str]:
        s = self.settings
        if s.twilio_from_number:
            return {"from_": s.twilio_from_number}
        return {"messaging_service_sid": s.twilio_messaging_service_sid}

    async def deliver(self, delivery: Delivery, throttle: Throttle) -> Delivered:
        message = delivery.what
        if not isinstance(message, Message):
            raise Rejected(f"SMS cannot show {type(message).__name__}")
        if not delivery.address:
            raise Rejected("no address")

        async def send(part: str) -> str | None:
            await throttle(gsm7.segments(part).segments)
            return await self.api.create(to=delivery.address, body=part, **self._sender())

        parts = sms_parts(message, fallback=self.settings.sms_gsm_fallback)
        return Delivered(await self._parts.send(delivery.id, parts, send))

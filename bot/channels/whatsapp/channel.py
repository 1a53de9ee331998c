"""The WhatsApp channel: Twilio's webhooks in (shared with SMS), the window-aware transport out."""

from __future__ import annotations

from starlette.routing import BaseRoute

from bot.channels.sms.twilio import DEFAULT_TIMEOUT, TwilioApi
from bot.channels.sms.webhook import TwilioWebhooks
from bot.channels.whatsapp.transport import CHANNEL, WhatsAppTransport
from bot.config import Settings
from bot.delivery import Limits, Sender
from bot.turns import TurnRunner

RATE = 20.0
"""Messages a second: well under a WhatsApp sender's throughput at Twilio (80)."""


class WhatsAppChannel:
    name = CHANNEL

    def __init__(
        self,
        settings: Settings,
        runner: TurnRunner,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        webhooks: TwilioWebhooks | None = None,
    ) -> None:
        self.api = TwilioApi(settings, timeout)
        self.transport = WhatsAppTransport(self.api, settings)
        self.limits = Limits(rate=RATE, concurrency=4)
        self.webhooks = webhooks or TwilioWebhooks(settings, runner)

    async def start(self, sender: Sender) -> None:
        await self.api.open()
        self.webhooks.report = sender.report

    async def stop(self) -> None:
        await self.api.close()

    def routes(self) -> list[BaseRoute]:
        return self.webhooks.routes()

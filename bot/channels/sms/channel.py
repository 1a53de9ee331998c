"""The SMS channel (Twilio): signed webhooks in, segments out within `TWILIO_MPS`."""

from __future__ import annotations

from starlette.routing import BaseRoute

from bot.channels.sms.transport import CHANNEL, SmsTransport
from bot.channels.sms.twilio import DEFAULT_TIMEOUT, TwilioApi
from bot.channels.sms.webhook import TwilioWebhooks
from bot.config import Settings
from bot.delivery import Limits, Sender
from bot.turns import TurnRunner


class SmsChannel:
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
        self.transport = SmsTransport(self.api, settings)
        self.limits = Limits(rate=settings.twilio_mps, concurrency=4)
        """Twilio's: TWILIO_MPS segments a second (1 for a US long code)."""
        self.webhooks = webhooks or TwilioWebhooks(settings, runner)

    async def start(self, sender: Sender) -> None:
        await self.api.open()
        self.webhooks.report = sender.report

    async def stop(self) -> None:
        await self.api.close()

    def routes(self) -> list[BaseRoute]:
        return self.webhooks.routes()

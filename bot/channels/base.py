"""What `baraza run` needs from a provider channel (Telegram, SMS)."""

from __future__ import annotations

from typing import Protocol

from starlette.routing import BaseRoute

from bot.outbox import Sender


class Channel(Protocol):
    name: str

    async def start(self) -> None:
        """Connect to the provider (e.g. getMe, setMyCommands, setWebhook, start polling)."""
        ...

    async def stop(self) -> None: ...

    def routes(self) -> list[BaseRoute]:
        """HTTP routes this channel serves in the shared web app (may be empty)."""
        ...

    def sender(self) -> Sender:
        """The outbox sender for this channel, configured with the provider's limits."""
        ...

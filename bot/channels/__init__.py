"""Channels: one package per provider (`telegram/`, `sms/`, `whatsapp/`, `console/`), each
an adapter that knows its provider and nothing about flows. A provider's payloads never
leave its package: in, a channel hands `Envelope`s to the turn runner; out, its transport
takes `Delivery`s from the channel's Sender (`bot.delivery`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # kept light: `bot.channels.text` is imported by content checks
    from starlette.routing import BaseRoute

    from bot.delivery import Limits, Sender, Transport


class Channel(Protocol):
    """What `baraza run` needs from a provider channel."""

    @property
    def name(self) -> str: ...

    @property
    def transport(self) -> Transport: ...

    @property
    def limits(self) -> Limits:
        """The provider's limits, for the channel's Sender."""
        ...

    async def start(self, sender: Sender) -> None:
        """Connect to the provider (getMe, menus, webhook or polling...). `sender` is the
        channel's: for what the channel shows itself (actions) and outage reports."""
        ...

    async def stop(self) -> None: ...

    def routes(self) -> list[BaseRoute]:
        """HTTP routes this channel serves in the shared web app (may be empty)."""
        ...

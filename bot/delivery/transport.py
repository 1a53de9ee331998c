"""What a channel's transport takes (a `Delivery`: who, what, how) and gives back.

Like httpx's one-method `AsyncBaseTransport`: a transport knows its provider and nothing
about flows, the outbox or limits. It sends one delivery, awaiting `throttle(cost)` before
each provider call, and returns `Delivered` or raises one of `bot.delivery.errors`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol

from bot.engine.io import Message

Throttle = Callable[[float], Awaitable[None]]
"""Wait until `cost` more units fit in the channel's overall rate (1 for a Telegram call,
the segment count for an SMS part)."""


@dataclass(frozen=True)
class Action:
    """A change to what a person already sees, in a channel's own terms (Telegram: a
    keyboard redrawn, the answer to a button press). Not stored: it goes through the same
    Sender and limits as messages, ahead of them, and is dropped if it cannot go out
    within `lifetime` seconds (a stale keyboard is harmless: its taps are refused)."""

    lifetime: ClassVar[float] = 30.0


@dataclass(frozen=True)
class Delivery:
    """One thing to put in front of one person."""

    id: int
    """The outbox row (negative: an `Action`, not stored)."""
    address: str
    """Who: the address on the channel (a chat id, an E.164 number, a console name)."""
    what: Message | Action
    bulk: bool = False
    """How: a broadcast (behind replies; held in quiet hours) rather than a reply."""
    attempt: int = 0
    """Attempts made before this one."""
    last_inbound: datetime | None = None
    """When the person last wrote, if known (WhatsApp's 24-hour window)."""


@dataclass(frozen=True)
class Delivered:
    provider_id: str | None = None
    """The provider's id of the (last) message sent, for delivery reports."""
    keeps_attachment: bool = False
    """The attachment is the delivery itself (the console shows its path): keep the file."""


class Transport(Protocol):
    channel: str

    async def deliver(self, delivery: Delivery, throttle: Throttle) -> Delivered:
        """Send one delivery; raise a `SendError` (or anything: a fault) if it did not go."""
        ...

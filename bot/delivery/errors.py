"""What a transport may raise, and what the `Sender` does about it.

Modelled on httpx's documented exception tree: one base, one class per thing the caller
does differently. Anything else a transport raises is a fault: retried a few times
(`sender.MAX_FAULTS`), then the message is given up and marked failed.
"""

from __future__ import annotations


class SendError(Exception):
    """Base of what a transport may raise."""


class RetryLater(SendError):
    """Transient: try again later (network, 5xx, 429). `pause_all` also stops the whole
    sender for `delay` seconds (a provider-wide flood limit). `outage`: the provider could
    not be reached or refused the login (default: a plain retry, with no delay or pause
    given, is one); a flood limit is not an outage. Retried without limit: an outage of
    hours delays messages, it does not lose them."""

    def __init__(
        self,
        reason: str,
        delay: float | None = None,
        pause_all: bool = False,
        *,
        outage: bool | None = None,
    ) -> None:
        super().__init__(reason)
        self.delay = delay
        self.pause_all = pause_all
        self.outage = outage if outage is not None else delay is None and not pause_all


class Unreachable(SendError):
    """The person blocked the bot: marked unreachable until they write again."""


class OptedOut(SendError):
    """The carrier says this number opted out: the participant is stopped."""


class Rejected(SendError):
    """Permanent refusal of this one message (an invalid number, a text too long)."""


class WaitForReply(SendError):
    """The provider takes this message only after the person writes again (WhatsApp
    outside its 24-hour window, with no template to use): it waits, and goes out once
    they write."""

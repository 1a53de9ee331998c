"""Delivery: one Sender per channel, paced within the provider's limits, in front of the
channel's transport. See `sender` for the Sender, `transport` for what a transport takes,
`errors` for what it may raise, `limit` for the rolling rate."""

from bot.delivery.doorbell import Doorbell
from bot.delivery.errors import (
    OptedOut,
    Rejected,
    RetryLater,
    SendError,
    Unreachable,
    WaitForReply,
)
from bot.delivery.limit import RollingLimit
from bot.delivery.sender import MAX_FAULTS, Limits, Sender
from bot.delivery.transport import Action, Delivered, Delivery, Throttle, Transport

__all__ = [
    "MAX_FAULTS",
    "Action",
    "Delivered",
    "Delivery",
    "Doorbell",
    "Limits",
    "OptedOut",
    "Rejected",
    "RetryLater",
    "RollingLimit",
    "SendError",
    "Sender",
    "Throttle",
    "Transport",
    "Unreachable",
    "WaitForReply",
]

"""WhatsApp's customer service window: free-form messages only within 24 hours of the
person's last message; outside it, a pre-approved template or nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

SESSION = timedelta(hours=24)


def is_open(last_inbound: datetime | None, now: datetime) -> bool:
    """Whether a free-form message may go now (unknown: yes, e.g. the answer to DELETE,
    whose person is gone; Twilio's 63016 would then hold it)."""
    return last_inbound is None or now - last_inbound < SESSION


def opened_since(now: datetime) -> str:
    """The ISO-8601 time before which a person's last message leaves them outside the
    window at `now` (for `storage.windows.outside_window`)."""
    return (now - SESSION).isoformat()

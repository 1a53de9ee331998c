"""A provider that cannot be reached after start: said once, then less and less often.

The first failed call logs a WARNING; while failures go on, a reminder follows after
REMINDER seconds, then after twice as long each time (up to MAX_REMINDER), never one line
per message; the first call that gets an answer logs that it is back. The outage is kept
in the database (`storage.health`) for the dashboard, from the first failure until then.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from storage import health
from storage.conn import Conn
from storage.db import Database

log = logging.getLogger(__name__)

REMINDER = 60.0
MAX_REMINDER = 3600.0
PROVIDERS = {
    "telegram": "the Telegram Bot API",
    "sms": "the Twilio API",
    "whatsapp": "the Twilio API (WhatsApp)",
}


def _stamp(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat()


def _clock(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%H:%M UTC")


class ProviderHealth:
    """Outages of one channel's provider, reported by its sender and (Telegram) poller."""

    def __init__(self, db: Database, channel: str, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.channel = channel
        self.provider = PROVIDERS.get(channel, f"the {channel} provider")
        self.clock = clock
        self.down_since: float | None = None
        self.failures = 0
        self._remind_at = 0.0
        self._interval = REMINDER
        self._stale = True
        """A row from an earlier run may be in the database until the first answer."""

    @property
    def down(self) -> bool:
        return self.down_since is not None

    async def failed(self, reason: str) -> None:
        """A call to the provider got no answer (network, timeout, 5xx, refused login)."""
        now = self.clock()
        self.failures += 1
        if self.down_since is None:
            self.down_since, self._interval = now, REMINDER
            self._remind_at = now + self._interval
            waiting = await self._store(reason, now)
            log.warning(
                "%s: %s is unreachable (%s); %s, retried with backoff",
                self.channel,
                self.provider,
                reason,
                _waiting(waiting),
            )
        elif now >= self._remind_at:
            self._interval = min(self._interval * 2, MAX_REMINDER)
            self._remind_at = now + self._interval
            since, failures = self.down_since, self.failures
            waiting = await self._store(reason, now)
            log.warning(
                "%s: %s still unreachable since %s (%d failed calls, last: %s); %s",
                self.channel,
                self.provider,
                _clock(since),
                failures,
                reason,
                _waiting(waiting),
            )

    async def ok(self) -> None:
        """A call got an answer from the provider (also a refusal of one message)."""
        if self.down_since is None:
            if self._stale:
                self._stale = False
                await self._write(partial(_up, channel=self.channel))
            return
        since, failures = self.down_since, self.failures
        self.down_since, self.failures, self._stale = None, 0, False
        await self._write(partial(_up, channel=self.channel))
        log.warning(
            "%s: %s answers again, after %s down (%d failed calls)",
            self.channel,
            self.provider,
            _duration(self.clock() - since),
            failures,
        )

    async def _store(self, reason: str, now: float) -> int | None:
        """Record the outage as it stands; returns the messages waiting."""
        assert self.down_since is not None
        waiting: int | None = await self._write(
            partial(
                _down,
                channel=self.channel,
                since=_stamp(self.down_since),
                error=reason,
                failures=self.failures,
                now=_stamp(now),
            )
        )
        return waiting

    async def _write(self, job: Callable[[Conn], int | None]) -> int | None:
        try:
            return await self.db.write(job)
        except Exception as exc:  # reporting an outage must never stop a sender
            log.warning("%s: could not record the provider's state: %s", self.channel, exc)
            return None


def _down(conn: Conn, *, channel: str, since: str, error: str, failures: int, now: str) -> int:
    return health.down(conn, channel, since=since, error=error, failures=failures, now=now)


def _up(conn: Conn, *, channel: str) -> None:
    health.up(conn, channel)


def _waiting(n: int | None) -> str:
    if n is None:
        return "messages wait"
    return f"{n} message{'' if n == 1 else 's'} waiting"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"

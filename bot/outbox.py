"""Senders: drain the outbox of one channel within the provider's limits.

A `Transport` knows its provider and nothing about flows; it delivers one row or raises
one of the errors below. The `Sender` owns the rest: claiming rows (the head of each
address's queue, replies before bulk), an overall rate, per-address pacing stored in the
database (so it holds across restarts), retries with backoff, and what a permanent
refusal means for the participant.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from asyncio import FIRST_COMPLETED
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Protocol

from bot.health import ProviderHealth
from storage import outbox, participants
from storage.conn import Conn
from storage.db import Database
from storage.outbox import Outgoing

log = logging.getLogger(__name__)
MAX_BACKOFF = 300.0
MIN_IDLE = 0.1
"""Shortest nap when nothing could be claimed (rows paced per chat, or held in quiet hours)."""
MAX_IDLE = 5.0
SHARED_IDLE = 0.25
"""Longest nap on a database several processes share: turns in another process cannot
ring this one's doorbell, so the queue is looked at this often (a read, no lock)."""


@dataclass(frozen=True)
class Delivered:
    provider_id: str | None = None


class SendError(Exception):
    """Base of what a transport may raise."""


class RetryLater(SendError):
    """Transient: try this row again later (network, 5xx, 429). `pause_all` also stops
    the whole sender for `delay` seconds (a provider-wide flood limit). `outage`: the
    provider could not be reached or refused the login (default: a plain retry, with no
    delay or pause given, is one); a flood limit is not an outage."""

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
    """The person blocked the bot: mark them unreachable until they write again."""


class OptedOut(SendError):
    """The carrier says this number opted out: mark the participant stopped."""


class Rejected(SendError):
    """Permanent refusal of this one message (e.g. an invalid number): mark failed."""


Throttle = Callable[[float], Awaitable[None]]


class Transport(Protocol):
    channel: str

    async def deliver(self, row: Outgoing, throttle: Throttle) -> Delivered:
        """Send one row. Await `throttle(cost)` before each provider call (cost 1 for a
        Telegram message, the segment count for an SMS part)."""
        ...


class RollingLimit:
    """At most `rate` units a second, strictly: over any window of `period` seconds the
    costs add up to at most `rate * period`. Unlike a token bucket there is no burst on
    top of the rate, so no rolling second ever holds more than the provider allows.
    `margin` stretches the window a little against network jitter."""

    def __init__(self, rate: float, margin: float = 1.0) -> None:
        base = max(1.0, 1.0 / rate)
        self.capacity = rate * base
        self.period = base * margin
        self._spent: deque[tuple[float, float]] = deque()
        self._used = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self, cost: float = 1.0) -> None:
        cost = min(cost, self.capacity)
        loop = asyncio.get_running_loop()
        async with self._lock:
            while True:
                now = loop.time()
                while self._spent and self._spent[0][0] <= now - self.period:
                    self._used -= self._spent.popleft()[1]
                if self._used + cost <= self.capacity + 1e-9:
                    break
                await asyncio.sleep(self._spent[0][0] + self.period - now)
            self._spent.append((loop.time(), cost))
            self._used += cost


class Doorbell:
    """Wakes every sender when turns queue messages."""

    def __init__(self) -> None:
        self._events: list[asyncio.Event] = []

    def subscribe(self) -> asyncio.Event:
        event = asyncio.Event()
        self._events.append(event)
        return event

    def ring(self) -> None:
        for event in self._events:
            event.set()


@dataclass
class Sender:
    db: Database
    transport: Transport
    rate: float = 30.0
    """Overall sends per second (or segments per second for SMS)."""
    per_address_interval: float = 0.0
    """Seconds between two messages to the same address (Telegram: 1)."""
    concurrency: int = 16
    clock: Callable[[], float] = time.time
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    paused_until: float = 0.0
    hold: Callable[[float], Sequence[str]] = lambda now: ()
    """Dialogues whose bulk messages wait right now (their quiet hours)."""
    window_margin: float = 1.0
    """Stretch of the rate's window (Telegram: 1.05, so jitter cannot squeeze 31 in a second)."""
    health: ProviderHealth = field(init=False)
    """Where this channel's provider outages are reported (the Telegram poller's too)."""
    _limit: RollingLimit = field(init=False)
    _stopping: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self._limit = RollingLimit(self.rate, self.window_margin)
        self.health = ProviderHealth(self.db, self.transport.channel, self.clock)

    async def throttle(self, cost: float = 1.0) -> None:
        """Wait until `cost` more units fit in the overall rate."""
        await self._limit.acquire(cost)

    async def run(self) -> None:
        """Send until `stop()`. Up to `concurrency` sends are in flight; a free slot is
        filled at once, so one hanging send never holds the others back. On stop, the
        sends in hand are finished and marked first.

        Rows a sender that died left 'sending' go back to the queue first, and (on a
        database several processes share) from time to time: those claimed longer ago
        than any send takes (`claim_lease`)."""
        inflight: set[asyncio.Task[None]] = set()
        pause = MIN_IDLE
        recover_at = 0.0
        try:
            while not self._stopping:
                try:
                    if self.clock() >= recover_at:
                        await self._recover()
                        lease = self.db.claim_lease
                        recover_at = self.clock() + lease / 2 if lease else float("inf")
                    free = self.concurrency - len(inflight)
                    rows = await self._claim(free) if free > 0 else []
                    for row in rows:
                        task = asyncio.create_task(self._send(row))
                        inflight.add(task)
                        task.add_done_callback(inflight.discard)
                    if not rows:
                        await self._idle(inflight)
                    pause = MIN_IDLE
                except Exception:  # the database refused a claim: keep going, never die
                    log.exception("%s: sender could not read the outbox", self.transport.channel)
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, 30.0)
        finally:
            if inflight:
                await asyncio.gather(*inflight, return_exceptions=True)

    def stop(self) -> None:
        self._stopping = True
        self.wake.set()

    async def _recover(self) -> None:
        lease = self.db.claim_lease
        back = await self.db.write(
            partial(
                outbox.recover,
                channel=self.transport.channel,
                claimed_before=self.clock() - lease if lease else None,
            )
        )
        if back:
            log.info(
                "%s: %d messages a sender left unfinished go again", self.transport.channel, back
            )

    async def _idle(self, inflight: set[asyncio.Task[None]]) -> None:
        """Until a send finishes, a turn queues messages, or a queued one falls due."""
        if self._stopping:
            return
        # Cleared before the queue is looked at: a turn committed after that look rings
        # the bell, one committed before it is seen by it (the look no longer waits
        # behind the writer's commits).
        self.wake.clear()
        due = await self.db.read(partial(outbox.next_due, channel=self.transport.channel))
        now = self.clock()
        longest = SHARED_IDLE if self.db.shared else MAX_IDLE
        timeout = longest if due is None else min(longest, max(MIN_IDLE, due - now))
        timeout = max(timeout, self.paused_until - now)
        waiter = asyncio.create_task(self.wake.wait())
        try:
            await asyncio.wait({waiter, *inflight}, timeout=timeout, return_when=FIRST_COMPLETED)
        finally:
            waiter.cancel()

    async def _claim(self, limit: int) -> list[Outgoing]:
        now = self.clock()
        if now < self.paused_until:
            return []
        rows: list[Outgoing] = await self.db.write(
            partial(
                _claim,
                channel=self.transport.channel,
                now=now,
                limit=limit,
                hold=tuple(self.hold(now)),
            )
        )
        return rows

    async def drain_once(self) -> int:
        """Claim one batch and send it all; returns how many rows were attempted."""
        rows = await self._claim(self.concurrency)
        await asyncio.gather(*(self._send(row) for row in rows))
        return len(rows)

    async def _send(self, row: Outgoing) -> None:
        try:
            result = await self.transport.deliver(row, self.throttle)
        except RetryLater as exc:
            delay = exc.delay if exc.delay is not None else _backoff(row.attempts)
            if exc.pause_all:
                self.paused_until = max(self.paused_until, self.clock() + delay)
            # An outage is reported by `health`, once and then with backoff, not per row.
            log.log(
                logging.DEBUG if exc.outage else logging.INFO,
                "%s: retry message %d in %.1fs: %s",
                self.transport.channel,
                row.id,
                delay,
                exc,
            )
            await self.db.write(
                partial(_retry, row_id=row.id, at=self.clock() + delay, error=str(exc))
            )
            if exc.outage:
                await self.health.failed(str(exc))
            return
        except Unreachable as exc:
            await self.db.write(partial(_unreachable, row=row, error=str(exc)))
            _discard_attachment(row)
        except OptedOut as exc:
            await self.db.write(partial(_opted_out, row=row, error=str(exc)))
            _discard_attachment(row)
        except Rejected as exc:
            log.warning("%s: message %d refused: %s", self.transport.channel, row.id, exc)
            await self.db.write(partial(_failed, row_id=row.id, error=str(exc)))
            _discard_attachment(row)
        except Exception as exc:  # an unexpected fault is retried, never dropped
            log.exception("%s: message %d failed unexpectedly", self.transport.channel, row.id)
            delay = _backoff(row.attempts)
            await self.db.write(
                partial(_retry, row_id=row.id, at=self.clock() + delay, error=repr(exc))
            )
            return
        else:
            pace = self.clock() + self.per_address_interval if self.per_address_interval else 0.0
            await self.db.write(
                partial(_sent, row_id=row.id, provider_id=result.provider_id, pace=pace)
            )
            _discard_attachment(row)
        await self.health.ok()  # the provider answered (also when it refused the message)


def _discard_attachment(row: Outgoing) -> None:
    """An export or chart is written only to be sent: once it is, it goes."""
    if row.message.attachment:
        try:
            Path(row.message.attachment).unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove %s after sending: %s", row.message.attachment, exc)


def _backoff(attempts: int) -> float:
    return min(MAX_BACKOFF, 2.0 ** min(attempts, 10)) * random.uniform(0.8, 1.2)


def _stamp() -> str:
    return datetime.now(UTC).isoformat()


def _claim(
    conn: Conn, *, channel: str, now: float, limit: int, hold: tuple[str, ...]
) -> list[Outgoing]:
    return outbox.claim(conn, channel, now, limit, hold=hold)


def _retry(conn: Conn, *, row_id: int, at: float, error: str) -> None:
    outbox.retry(conn, row_id, at, error)


def _failed(conn: Conn, *, row_id: int, error: str) -> None:
    outbox.failed(conn, row_id, error)


def _sent(conn: Conn, *, row_id: int, provider_id: str | None, pace: float) -> None:
    outbox.sent(conn, row_id, provider_id, _stamp(), pace)


def _unreachable(conn: Conn, *, row: Outgoing, error: str) -> None:
    outbox.failed(conn, row.id, error)
    if row.participant_id:
        participants.mark_unreachable(conn, row.participant_id, _stamp())


def _opted_out(conn: Conn, *, row: Outgoing, error: str) -> None:
    outbox.failed(conn, row.id, error)
    if row.participant_id:
        participants.mark_stopped(conn, row.participant_id, _stamp())

"""The Sender: everything one channel shows people goes out here, within its limits.

Two kinds of deliveries, one rate:

- **outbox rows** (messages): claimed from the database, the head of each address's queue
  at a time (so a person's messages arrive in order, across retries and restarts),
  replies before bulk; an address's pause between messages (Telegram: 1 s) is kept in the
  database, so it holds across restarts;
- **actions** (`push`): changes to what a person already sees (Telegram's keyboard edits
  and answers to button presses), kept in memory, ahead of the outbox, one at a time per
  address, dropped when they cannot go out within their lifetime. They are not stored on
  purpose: an answer to a button press is worthless after a few seconds, a keyboard left
  undrawn by a crash is harmless (its taps are refused as closed), and neither should
  wait behind a person's paced messages or cost a database write.

Rows are claimed a little ahead (a tenth of a second's worth, at most `concurrency`), so a
send that ends finds the next row in hand rather than waiting for the writer; what became
of each send is recorded in batches, one write for all that ended meanwhile, and a send's
slot is free as soon as the provider answered. A row stays 'sending' (its address's next
message held back) until that record is written, and its pause starts from the answer.

Both share the channel's `RollingLimit` (Telegram: 30 a second, strictly). What a
transport raises decides what happens next (`bot.delivery.errors`); anything else is a
fault: retried with backoff, and after `MAX_FAULTS` the row is marked failed with its
reason, so it never blocks the person's later messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import random
import time
from asyncio import FIRST_COMPLETED
from collections import deque
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

from bot.delivery.doorbell import Doorbell
from bot.delivery.errors import (
    OptedOut,
    Rejected,
    RetryLater,
    SendError,
    Unreachable,
    WaitForReply,
)
from bot.delivery.limit import Clock, RollingLimit, Sleep
from bot.delivery.transport import Action, Delivery, Transport
from bot.engine.io import Message
from bot.health import ProviderHealth
from storage import outbox, participants
from storage.conn import Conn
from storage.db import Database
from storage.outbox import Outgoing

log = logging.getLogger(__name__)

MAX_FAULTS = 5
"""Unexpected failures of one message before it is given up (marked failed)."""
MAX_BACKOFF = 300.0
MARK_PAUSES = (0.5, 8.0)
"""Seconds before writing again the record of sends the database refused: the first
pause, and the longest (under a stopping sender's `grace`)."""
MIN_IDLE = 0.1
"""Shortest nap when nothing could be claimed."""
MAX_IDLE = 5.0
"""Longest nap: quiet hours ending, or anything else no ring announces, is seen by then."""
SHARED_IDLE = 0.25
"""Longest nap on a database several processes share: turns in another process cannot
ring this one's doorbell, so the queue is looked at this often (a read, no lock)."""
WAIT_RECHECK = 3600.0
"""A message waiting for the person to write is looked at again this often anyway
(e.g. a WhatsApp template set up meanwhile)."""
ACTION_RETRY = 1.0


@dataclass(frozen=True)
class Limits:
    """A provider's limits, as the channel declares them."""

    rate: float = 30.0
    """Units a second overall (messages, or SMS segments)."""
    per_address: float = 0.0
    """Seconds between two messages to one address (Telegram: 1)."""
    concurrency: int = 16
    """Sends in flight at once (one hanging call never holds the others back)."""
    margin: float = 1.0
    """Stretch of the rate's window (1.05: 5% below the rate), against network jitter
    squeezing one more into a second at the provider's end. None by default: bench 3
    measured that 1.05 cost 5% of every broadcast and still did not keep the fake Bot
    API's busiest second at the rate on a loaded machine; a provider's flood answer
    (Telegram's 429) pauses every send instead."""
    ahead: float = 0.1
    """Seconds of sending (at `rate`) claimed ahead of the free slots, at most
    `concurrency` rows: kept short, as a claimed row is no longer taken back when its
    person writes."""


@dataclass
class _Queued:
    delivery: Delivery
    expires: float
    not_before: float = 0.0


class Sender:
    """Drains one channel: see the module docstring. `async with sender:` runs it in a
    task until the block ends; `drain_once()` sends one batch (tests, the console)."""

    def __init__(
        self,
        db: Database,
        transport: Transport,
        limits: Limits = Limits(),
        *,
        doorbell: Doorbell | None = None,
        hold: Callable[[float], Sequence[str]] = lambda now: (),
        address: str | None = None,
        clock: Clock = time.time,
        monotonic: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        grace: float = 15.0,
    ) -> None:
        self.db = db
        self.transport = transport
        self.channel = transport.channel
        self.limits = limits
        self.hold = hold
        """Dialogues whose bulk messages wait right now (their quiet hours)."""
        self.address = address
        """Only this address's messages (the console: one terminal, one person)."""
        self.clock = clock
        """Wall-clock seconds: stored times (retries, per-address pauses) use it."""
        self.monotonic = monotonic
        self.sleep = sleep
        self.grace = grace
        """Seconds a stopping sender gives the sends in hand to finish."""
        self.wake = doorbell.subscribe() if doorbell is not None else asyncio.Event()
        self.paused_until = 0.0
        self.health = ProviderHealth(db, self.channel, clock)
        """Where this channel's provider outages are reported (the Telegram poller's too)."""
        self._limit = RollingLimit(limits.rate, limits.margin, clock=monotonic, sleep=sleep)
        self._actions: deque[_Queued] = deque()
        self._acting: set[str] = set()
        self._ready: deque[Outgoing] = deque()
        """Rows claimed ahead, not yet handed to the transport (replies first)."""
        self._marks: list[tuple[Callable[[Conn], None], Message | None]] = []
        """What became of sends that ended, for the next batched write."""
        self._marker: asyncio.Task[None] | None = None
        self._ids = itertools.count(-1, -1)
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    # --- running ------------------------------------------------------------------------

    async def __aenter__(self) -> Sender:
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name=f"sender-{self.channel}")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Send nothing new; the sends in hand are finished and recorded (up to `grace`
        seconds; rows still on the wire then go again at the next start)."""
        self._stopping = True
        self.wake.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), self.grace)
        except TimeoutError:
            log.warning(
                "%s: sender did not stop in %ss; rows in flight go again", self.channel, self.grace
            )
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def request_stop(self) -> None:
        """Ask `run()` to take nothing new and to return once the sends in hand are
        recorded (what `bot.roles` calls; `stop()` also waits for it)."""
        self._stopping = True
        self.wake.set()

    async def run(self) -> None:
        """Send until stopped. Up to `concurrency` sends are in flight; a free slot is
        filled at once. On stop, the sends in hand are finished and recorded first.

        Rows a sender that died left 'sending' go back to the queue first, and (on a
        database several processes share) from time to time: those claimed longer ago
        than any send takes (`Database.claim_lease`)."""
        inflight: set[asyncio.Task[None]] = set()
        recover_at = 0.0

        def start(coro: Coroutine[Any, Any, None]) -> None:
            task = asyncio.create_task(coro)
            inflight.add(task)
            task.add_done_callback(inflight.discard)

        try:
            while not self._stopping:
                try:
                    if self.address is None and self.clock() >= recover_at:
                        await self._recover()
                        lease = self.db.claim_lease
                        recover_at = self.clock() + lease / 2 if lease else float("inf")
                    free = self.limits.concurrency - len(inflight)
                    actions = self._next_actions(free)
                    for queued in actions:
                        start(self._act(queued))
                    free -= len(actions)
                    started = 0
                    for row in self._take_ready(free):
                        start(self._send(row))
                        started += 1
                    free -= started
                    wanted = free + self._ahead() - len(self._ready)
                    if wanted > 0 and (free > 0 or not self._ready):
                        self._keep(await self._claim(wanted))
                        for row in self._take_ready(free):
                            start(self._send(row))
                            started += 1
                    if not started and not actions:
                        await self._idle(inflight)
                except Exception:  # the database refused a claim: never stop sending
                    log.exception("%s: sender loop failed; trying again", self.channel)
                    await asyncio.sleep(1.0)
        finally:
            if inflight:
                await asyncio.gather(*inflight, return_exceptions=True)
            await self._release_ready()
            await self.flush()

    async def drain_once(self) -> int:
        """Claim one batch and send it all; returns how many deliveries were attempted."""
        actions = self._next_actions(self.limits.concurrency)
        free = self.limits.concurrency - len(actions)
        rows = self._take_ready(free)
        rows += await self._claim(free - len(rows))
        await asyncio.gather(*(self._act(a) for a in actions), *(self._send(r) for r in rows))
        await self.flush()
        return len(actions) + len(rows)

    async def flush(self) -> None:
        """Wait until what became of every send that ended is written."""
        while self._marker is not None and not self._marker.done():
            await asyncio.shield(self._marker)

    async def throttle(self, cost: float = 1.0) -> None:
        """Wait until `cost` more units fit in the overall rate."""
        await self._limit.acquire(cost)

    async def _recover(self) -> None:
        lease = self.db.claim_lease
        back = await self.db.write(
            partial(
                outbox.recover,
                channel=self.channel,
                claimed_before=self.clock() - lease if lease else None,
            )
        )
        if back:
            log.info("%s: %d messages a sender left unfinished go again", self.channel, back)

    async def _idle(self, inflight: set[asyncio.Task[None]]) -> None:
        """Until a send finishes, something is queued or pushed, or a queued one falls due."""
        if self._stopping:
            return
        self.wake.clear()  # first: a ring while `next_due` is read is not lost
        now = self.clock()
        due = None
        if len(inflight) < self.limits.concurrency:
            # With every slot taken only a send finishing lets another go: asking when
            # the next row falls due would cost a scan of the queue at each ring (each
            # turn's commit), for nothing, while replies pile up at the rate. A read: it
            # never waits behind the writer's commits.
            due = await self.db.read(
                partial(
                    outbox.next_due,
                    channel=self.channel,
                    address=self.address,
                    hold=tuple(self.hold(now)),
                )
            )
        longest = SHARED_IDLE if self.db.shared else MAX_IDLE
        timeout = longest if due is None else min(longest, max(MIN_IDLE, due - now))
        if self._actions:
            soonest = min(q.not_before for q in self._actions) - self.monotonic()
            timeout = min(timeout, max(MIN_IDLE, soonest))
        timeout = max(timeout, self.paused_until - now)
        waiter = asyncio.create_task(self.wake.wait())
        try:
            await asyncio.wait({waiter, *inflight}, timeout=timeout, return_when=FIRST_COMPLETED)
        finally:
            waiter.cancel()

    # --- actions (not stored) -------------------------------------------------------------

    def push(self, address: str, action: Action) -> None:
        """Show `action` to `address` as soon as the limits allow, ahead of the outbox."""
        delivery = Delivery(next(self._ids), address, action)
        self._actions.append(_Queued(delivery, self.monotonic() + action.lifetime))
        self.wake.set()

    def _next_actions(self, free: int) -> list[_Queued]:
        """Pushed actions that may go now: one per address at a time, in order."""
        if free <= 0 or not self._actions or self.clock() < self.paused_until:
            return []
        now = self.monotonic()
        taken: list[_Queued] = []
        seen: set[str] = set()
        for queued in list(self._actions):
            address = queued.delivery.address
            if len(taken) >= free:
                break
            if address in self._acting or address in seen:
                seen.add(address)
                continue
            seen.add(address)
            if queued.expires <= now:
                self._actions.remove(queued)
                log.info(
                    "%s: %s dropped: too late", self.channel, type(queued.delivery.what).__name__
                )
                continue
            if queued.not_before > now:
                continue
            self._actions.remove(queued)
            self._acting.add(address)
            taken.append(queued)
        return taken

    async def _act(self, queued: _Queued) -> None:
        d = queued.delivery
        name = type(d.what).__name__
        try:
            await self.transport.deliver(d, self.throttle)
        except RetryLater as exc:
            delay = exc.delay if exc.delay is not None else ACTION_RETRY
            if exc.pause_all:
                self.paused_until = max(self.paused_until, self.clock() + delay)
            if self.monotonic() + delay < queued.expires:
                queued.not_before = self.monotonic() + delay
                self._actions.appendleft(queued)  # ahead of the address's later ones
            else:
                log.info("%s: %s dropped: %s", self.channel, name, exc)
            if exc.outage:
                await self.health.failed(str(exc))
            return
        except SendError as exc:  # e.g. "message is not modified": nothing to show
            log.info("%s: %s not shown: %s", self.channel, name, exc)
        except Exception:
            log.exception("%s: %s failed unexpectedly; dropped", self.channel, name)
            return
        finally:
            self._acting.discard(d.address)
            self.wake.set()
        await self.health.ok()

    async def report(self, provider_id: str, status: str, error: str | None) -> bool:
        """A provider's delivery report (Twilio's status callback); False if unknown."""
        known: bool = await self.db.write(
            partial(outbox.delivery, provider_id=provider_id, status=status, error=error)
        )
        return known

    # --- outbox rows --------------------------------------------------------------------

    def _ahead(self) -> int:
        return min(self.limits.concurrency, math.ceil(self.limits.rate * self.limits.ahead))

    def _keep(self, rows: list[Outgoing]) -> None:
        """Claimed rows join those in hand: replies before bulk, each in claim order."""
        if rows:
            self._ready = deque(sorted([*self._ready, *rows], key=lambda r: r.priority))

    def _take_ready(self, free: int) -> list[Outgoing]:
        if free <= 0 or not self._ready or self.clock() < self.paused_until:
            return []
        return [self._ready.popleft() for _ in range(min(free, len(self._ready)))]

    async def _release_ready(self) -> None:
        """Rows claimed ahead but never handed over go back to the queue (stopping)."""
        ids, self._ready = [r.id for r in self._ready], deque()
        if ids:
            try:
                await self.db.write(partial(outbox.release, ids=ids))
            except Exception:  # they go again after `recover`, at the next start
                log.exception("%s: could not give back %d claimed rows", self.channel, len(ids))

    def _mark(self, job: Callable[[Conn], None], done: Message | None = None) -> None:
        """Record what became of a send with the next batch (see the module docstring);
        `done`: a message whose attachment goes once that is written."""
        self._marks.append((job, done))
        if self._marker is None or self._marker.done():
            self._marker = asyncio.create_task(self._write_marks())

    async def _write_marks(self) -> None:
        """Write the marks in batches. A batch the database cannot take right now (a
        full disk, a lost connection: `Database.unavailable`) is written again, with
        what ended meanwhile, after a pause that doubles up to `MARK_PAUSES[1]`: left
        'sending', its rows would go again at the next start (or on PostgreSQL once
        another process took them for dead) and reach their people twice, and each
        one's next message would wait until then. Any other error (a bug) and a
        stopping sender give up: those rows go again at the next start."""
        pause = MARK_PAUSES[0]
        while self._marks:
            marks, self._marks = self._marks, []
            try:
                await self.db.write(partial(_apply, jobs=[job for job, _ in marks]))
            except Exception as exc:
                if self._stopping or not isinstance(exc, self.db.unavailable):
                    log.exception(
                        "%s: could not record %d sends; they go again at the next start",
                        self.channel,
                        len(marks),
                    )
                    continue
                self._marks[:0] = marks  # first: their order is the order they ended in
                log.exception(
                    "%s: could not record %d sends; trying again in %g s",
                    self.channel,
                    len(self._marks),
                    pause,
                )
                await self.sleep(pause)
                pause = min(2 * pause, MARK_PAUSES[1])
                continue
            pause = MARK_PAUSES[0]
            for _, message in marks:
                if message is not None:
                    _discard_attachment(message)
            self.wake.set()  # their addresses may have a next message

    async def _claim(self, limit: int) -> list[Outgoing]:
        now = self.clock()
        if now < self.paused_until or limit <= 0:
            return []
        rows: list[Outgoing] = await self.db.write(
            partial(
                _claim,
                channel=self.channel,
                now=now,
                limit=limit,
                hold=tuple(self.hold(now)),
                address=self.address,
            )
        )
        return rows

    async def _send(self, row: Outgoing) -> None:
        delivery = Delivery(
            row.id,
            row.address,
            row.message,
            bulk=row.priority == outbox.BULK,
            attempt=row.attempts,
            last_inbound=row.last_seen,
        )
        try:
            result = await self.transport.deliver(delivery, self.throttle)
        except RetryLater as exc:
            delay = exc.delay if exc.delay is not None else _backoff(row.attempts)
            if exc.pause_all:
                self.paused_until = max(self.paused_until, self.clock() + delay)
            # An outage is reported by `health`, once and then with backoff, not per row.
            log.log(
                logging.DEBUG if exc.outage else logging.INFO,
                "%s: retry message %d in %.1fs: %s",
                self.channel,
                row.id,
                delay,
                exc,
            )
            self._mark(
                partial(_retry, row_id=row.id, at=self.clock() + delay, error=str(exc))
            )
            if exc.outage:
                await self.health.failed(str(exc))
            return
        except WaitForReply as exc:
            log.info("%s: message %d waits until the person writes: %s", self.channel, row.id, exc)
            self._mark(
                partial(_wait, row=row, at=self.clock() + WAIT_RECHECK, error=str(exc))
            )
        except Unreachable as exc:
            self._mark(partial(_unreachable, row=row, error=str(exc)), row.message)
        except OptedOut as exc:
            self._mark(partial(_opted_out, row=row, error=str(exc)), row.message)
        except Rejected as exc:
            log.warning("%s: message %d refused: %s", self.channel, row.id, exc)
            self._mark(partial(_failed, row_id=row.id, error=str(exc)), row.message)
        except Exception as exc:
            await self._fault(row, exc)
            return
        else:
            pace = self.clock() + self.limits.per_address if self.limits.per_address else 0.0
            self._mark(
                partial(_sent, row_id=row.id, provider_id=result.provider_id, pace=pace),
                None if result.keeps_attachment else row.message,
            )
        await self.health.ok()  # the provider answered (also when it refused the message)

    async def _fault(self, row: Outgoing, exc: Exception) -> None:
        """An unexpected failure: retried with backoff, given up after MAX_FAULTS."""
        faults = row.faults + 1
        if faults >= MAX_FAULTS:
            log.error(
                "%s: message %d failed %d times; given up: %r",
                self.channel,
                row.id,
                faults,
                exc,
                exc_info=exc,
            )
            reason = f"gave up after {faults} failures: {exc!r}"
            self._mark(partial(_failed, row_id=row.id, error=reason[:500]), row.message)
            return
        log.exception(
            "%s: message %d failed unexpectedly (%d of %d)",
            self.channel,
            row.id,
            faults,
            MAX_FAULTS,
            exc_info=exc,
        )
        delay = _backoff(row.attempts)
        self._mark(
            partial(
                _retry, row_id=row.id, at=self.clock() + delay, error=repr(exc)[:500], fault=True
            )
        )


def _discard_attachment(message: Message) -> None:
    """An export or chart is written only to be sent: once it is, it goes."""
    if message.attachment:
        try:
            Path(message.attachment).unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove %s after sending: %s", message.attachment, exc)


def _backoff(attempts: int) -> float:
    return min(MAX_BACKOFF, 2.0 ** min(attempts, 10)) * random.uniform(0.8, 1.2)


def _stamp() -> str:
    return datetime.now(UTC).isoformat()


def _claim(
    conn: Conn,
    *,
    channel: str,
    now: float,
    limit: int,
    hold: tuple[str, ...],
    address: str | None,
) -> list[Outgoing]:
    return outbox.claim(conn, channel, now, limit, address=address, hold=hold)


def _apply(conn: Conn, *, jobs: list[Callable[[Conn], None]]) -> None:
    for job in jobs:
        job(conn)


def _retry(
    conn: Conn, *, row_id: int, at: float, error: str, fault: bool = False
) -> None:
    outbox.retry(conn, row_id, at, error, fault=fault)


def _wait(conn: Conn, *, row: Outgoing, at: float, error: str) -> None:
    outbox.wait_for_reply(conn, row.id, row.seen, at, error)


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

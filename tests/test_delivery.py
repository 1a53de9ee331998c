"""The Sender and its rolling limit, on a clock the test controls.

No wall-clock timing: the limiter sleeps on the test's clock (a sleep moves it forward at
once), and every send is stamped with that clock when the limiter let it go. So the rate
and the pause per address are proven exactly, however busy the machine is. The database is
a real SQLite file; the transports are small recorders standing in for a provider.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.delivery import (
    MAX_FAULTS,
    Action,
    Delivered,
    Delivery,
    Limits,
    RetryLater,
    RollingLimit,
    Sender,
    Throttle,
)
from bot.delivery import sender as sender_module
from bot.engine.io import Message
from bot.facilitator import dashboard
from bot.runtime import open_runner
from bot.turns import TurnRunner
from storage import outbox
from storage.conn import Conn
from tests import sql
from tests.conftest import make_settings, shared_content
from tests.people import onboard, pid_of, q

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC).timestamp()


class Time:
    """The test's clock: `sleep` moves it forward at once."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class Recorder:
    """A provider that takes everything, noting (address, text, when) on the test's clock;
    `refuse(n)`: the next n calls get a flood-limit answer (Telegram's 429)."""

    channel = "console"

    def __init__(self, time: Time) -> None:
        self.time = time
        self.calls: list[tuple[str, str, float, bool]] = []
        self.floods = 0

    async def deliver(self, delivery: Delivery, throttle: Throttle) -> Delivered:
        text = delivery.what.text if isinstance(delivery.what, Message) else repr(delivery.what)
        cost = 2 if text.startswith("Two parts") else 1
        await throttle(cost)
        refused = self.floods > 0
        self.floods -= refused
        self.calls.append((delivery.address, text, self.time.now, refused))
        if refused:
            raise RetryLater("flood limit", delay=1.0, pause_all=True)
        return Delivered(f"m{len(self.calls)}")

    def sent(self) -> list[tuple[str, str, float]]:
        return [(a, t, at) for a, t, at, refused in self.calls if not refused]


def sender(runner: TurnRunner, transport: Recorder, limits: Limits) -> Sender:
    t = transport.time
    return Sender(runner.db, transport, limits, clock=t, monotonic=t, sleep=t.sleep)


async def queue(runner: TurnRunner, messages: list[tuple[str, str]]) -> None:
    def job(conn: Conn) -> None:
        for address, text in messages:
            outbox.enqueue(conn, None, "console", address, [Message(text)], "2026-11-30")

    await runner.db.write(job)


async def drain(s: Sender, time: Time, step: float = 0.01, limit: int = 100_000) -> None:
    """Send until the outbox is empty, letting the test's time pass while nothing is due."""
    for _ in range(limit):
        if not await s.drain_once():
            if not await s.db.read("SELECT 1 FROM outbox WHERE status = 'queued' LIMIT 1"):
                return
            time.now += step
    raise AssertionError("the outbox did not drain")


def busiest(stamps: Sequence[float], costs: Sequence[float], window: float = 1.0) -> float:
    """The most units granted within any `window` seconds."""
    return max(
        sum(c for u, c in zip(stamps, costs, strict=True) if t <= u < t + window) for t in stamps
    )


# --------------------------------------------------------------------------- the limit


async def test_the_rolling_limit_never_exceeds_its_rate() -> None:
    time = Time()
    limit = RollingLimit(5, clock=time, sleep=time.sleep)
    grants = [await limit.acquire(c) for c in [1, 2, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1]]
    costs = [1, 2, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1]
    assert busiest(grants, costs) == 5
    # no burst: each grant waits at least until the one before it is paid for at the rate
    gaps = [b - a for a, b in itertools.pairwise(grants)]
    assert all(gap >= c / 5 - 1e-6 for gap, c in zip(gaps, costs, strict=False))
    assert grants[1] - grants[0] == pytest.approx(0.2)
    evenly = [await limit.acquire() for _ in range(10)]
    assert [b - a for a, b in itertools.pairwise(evenly)] == pytest.approx([0.2] * 9)
    # after an idle spell nothing is made up (no burst), a sleep that overslept is
    time.now += 10
    first, second = await limit.acquire(), await limit.acquire()
    assert second - first == pytest.approx(0.2)
    time.now = second + 0.2 + 0.03  # the caller came back 30 ms late
    late, after = await limit.acquire(), await limit.acquire()
    assert after - late == pytest.approx(0.2 - 0.03)
    stretched = RollingLimit(30, 1.05, clock=time, sleep=time.sleep)
    stamps = [await stretched.acquire() for _ in range(61)]
    assert busiest(stamps, [1] * 61, 1.05) == 30
    assert stamps[-1] - stamps[0] == pytest.approx(2.1)
    slow = RollingLimit(0.5, clock=time, sleep=time.sleep)  # one every 2 seconds
    a, b = await slow.acquire(), await slow.acquire()
    assert b - a == pytest.approx(2.0)


async def test_sms_segments_are_paced_at_the_providers_rate(runner: TurnRunner) -> None:
    """TWILIO_MPS=5: 12 messages, 4 of them two segments long: 16 segments, 5 a second."""
    time = Time()
    recorder = Recorder(time)
    messages = [
        (f"+2547123456{i:02d}", "Two parts" if i % 3 == 0 else f"Message {i}") for i in range(12)
    ]
    await queue(runner, messages)
    await drain(sender(runner, recorder, Limits(rate=5, concurrency=4, margin=1.0)), time)
    sent = recorder.sent()
    assert sorted(t for _, t, _ in sent) == sorted(t for _, t in messages)
    stamps = [at for _, _, at in sent]
    costs = [2 if t.startswith("Two") else 1 for _, t, _ in sent]
    assert busiest(stamps, costs) <= 5
    assert max(stamps) - min(stamps) >= (16 - 5) / 5


async def test_telegram_30_a_second_one_a_second_per_chat_through_a_429_storm(
    runner: TurnRunner,
) -> None:
    """40 people get 3 messages each at once; Telegram refuses 5 calls with a flood limit.
    Every message goes once, in each chat's order; never more than 30 calls (refused ones
    too) in any 1.05 s; never two to one chat within a second."""
    time = Time()
    recorder = Recorder(time)
    recorder.floods = 5
    chats = [str(c) for c in range(1001, 1041)]
    await queue(runner, [(c, f"{c}-{n}") for n in range(3) for c in chats])
    limits = Limits(rate=30, per_address=1.0, concurrency=16, margin=1.05)
    await drain(sender(runner, recorder, limits), time)

    for chat in chats:
        assert [t for a, t, _ in recorder.sent() if a == chat] == [f"{chat}-{n}" for n in range(3)]
        stamps = [at for a, _, at, _ in recorder.calls if a == chat]  # refused ones too
        assert min(b - a for a, b in itertools.pairwise(stamps)) >= 1.0, chat
    stamps = [at for _, _, at, _ in recorder.calls]
    assert sum(refused for *_, refused in recorder.calls) == 5
    assert busiest(stamps, [1] * len(stamps), 1.05) <= 30
    assert q(runner, "SELECT status, count(*) FROM outbox GROUP BY 1") == [("sent", 120)]


async def test_a_broadcast_goes_at_the_full_rate_not_below_it(runner: TurnRunner) -> None:
    """90 people, 30 a second: one every 1/30 s, the last 89/30 s after the first (no
    margin below the rate, no gap left unused), and no second holds more than 30."""
    time = Time()
    recorder = Recorder(time)
    await queue(runner, [(str(c), "news") for c in range(2001, 2091)])
    await drain(sender(runner, recorder, Limits(rate=30, per_address=1.0)), time)
    stamps = [at for _, _, at in recorder.sent()]
    assert len(stamps) == 90
    assert busiest(stamps, [1] * 90) == 30
    assert max(stamps) - min(stamps) == pytest.approx(89 / 30)


async def test_sending_does_not_wait_for_earlier_sends_to_be_recorded(
    runner: TurnRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the database is slow to record what was sent, the next people's messages still
    go; a person's second message waits until their first is recorded (its order and pause
    hold), and every send is recorded once the database answers."""
    time = Time()
    recorder = Recorder(time)
    await queue(runner, [("42", "one"), ("42", "two")])
    await queue(runner, [(str(c), "news") for c in range(2001, 2041)])
    gate = asyncio.Event()
    write = runner.db.write

    async def slow_records(fn: Any) -> Any:
        if getattr(fn, "func", None) is sender_module._apply:
            await gate.wait()
        return await write(fn)

    monkeypatch.setattr(runner.db, "write", slow_records)

    async def until(done: Callable[[], bool]) -> None:
        for _ in range(2000):  # a bound, not a timing: the condition decides
            if done():
                return
            await asyncio.sleep(0.005)
        raise AssertionError("never happened")

    async with sender(runner, recorder, Limits(rate=30, concurrency=16)):
        await until(lambda: len(recorder.sent()) == 41)  # every head, none recorded yet
        assert ("42", "two") not in [(a, t) for a, t, _ in recorder.sent()]
        assert q(runner, "SELECT status, count(*) FROM outbox GROUP BY 1") == [
            ("queued", 1),
            ("sending", 41),
        ]
        gate.set()
        await until(lambda: len(recorder.sent()) == 42)
    assert [t for a, t, _ in recorder.sent() if a == "42"] == ["one", "two"]
    assert q(runner, "SELECT status, count(*) FROM outbox GROUP BY 1") == [("sent", 42)]


async def test_the_pause_per_address_holds_across_a_restart(runner: TurnRunner) -> None:
    time = Time()
    recorder = Recorder(time)
    limits = Limits(rate=30, per_address=1.0)
    await queue(runner, [("42", "one"), ("42", "two"), ("43", "other")])
    first = sender(runner, recorder, limits)
    assert await first.drain_once() == 2  # one each: 42's second waits for its pause
    assert await first.drain_once() == 0
    second = sender(runner, recorder, limits)  # a new process, the same database
    time.now = START + 0.99
    assert await second.drain_once() == 0
    time.now = START + 1.0
    assert await second.drain_once() == 1
    assert [(a, t, at - START) for a, t, at in recorder.sent()] == [
        ("42", "one", 0.0),
        ("43", "other", pytest.approx(1 / 30)),  # spaced at the rate, not in a burst
        ("42", "two", pytest.approx(1.0)),
    ]


# --------------------------------------------------------------------------- failures


class Broken(Recorder):
    """A provider call that always fails unexpectedly for one text."""

    def __init__(self, time: Time, bad: str) -> None:
        super().__init__(time)
        self.bad = bad

    async def deliver(self, delivery: Delivery, throttle: Throttle) -> Delivered:
        if isinstance(delivery.what, Message) and delivery.what.text == self.bad:
            raise ValueError("a bug in the transport")
        return await super().deliver(delivery, throttle)


async def test_a_message_that_keeps_failing_is_given_up_and_does_not_block_the_next(
    runner: TurnRunner,
) -> None:
    await onboard(runner, "ana")
    pid = pid_of(runner, "ana")

    def two(conn: Conn) -> None:
        texts = [Message("breaks the transport"), Message("comes next")]
        outbox.enqueue(conn, pid, "console", "ana", texts, "2026-11-30")

    await runner.db.write(two)
    time = Time()
    broken = Broken(time, "breaks the transport")
    s = sender(runner, broken, Limits(rate=30))
    await drain(s, time, step=30.0, limit=200)
    assert [t for _, t, _ in broken.sent()] == ["comes next"]  # once the first was given up
    ((status, error, faults),) = q(
        runner, "SELECT status, error, faults FROM outbox WHERE status = 'failed'"
    )
    assert error == f"gave up after {MAX_FAULTS} failures: ValueError('a bug in the transport')"
    assert (status, faults) == ("failed", MAX_FAULTS - 1)
    board = await dashboard.build(runner.db, runner.dialogues["baraza"], datetime.now(UTC))
    assert "Not delivered (refused or given up): console 1" in dashboard.text(board).splitlines()


async def test_an_unreadable_row_is_marked_failed_and_the_rest_goes(runner: TurnRunner) -> None:
    await queue(runner, [("42", "fine")])
    await runner.db.write(
        lambda conn: conn.execute(
            "INSERT INTO outbox (channel, address, payload, created_at) VALUES (?, ?, ?, ?)",
            ("console", "43", '{"no text": 1}', "2026-11-30"),
        )
    )
    time = Time()
    recorder = Recorder(time)
    await drain(sender(runner, recorder, Limits()), time)
    assert [t for _, t, _ in recorder.sent()] == ["fine"]
    assert q(runner, "SELECT status, error FROM outbox ORDER BY id") == [
        ("sent", None),
        ("failed", "unreadable payload: KeyError('text')"),
    ]


class Refusing:
    """The database refusing to record sends, as `failures` says for each attempt in turn
    (True: refused, as a full disk or a lost connection would); every other write goes."""

    def __init__(
        self, db: Any, failures: Iterable[bool], error: Exception | None = None
    ) -> None:
        self.write = db.write
        self.failures = list(failures)
        self.error = error or sqlite3.OperationalError("disk I/O error")
        self.refused = 0

    async def __call__(self, fn: Any) -> Any:
        recording = getattr(fn, "func", None) is sender_module._apply
        if recording and self.failures and self.failures.pop(0):
            self.refused += 1
            raise self.error
        return await self.write(fn)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(failures=st.lists(st.booleans(), max_size=12), restart=st.integers(0, 12))
def test_each_message_reaches_its_person_once_however_often_recording_it_fails(
    failures: list[bool], restart: int
) -> None:
    """What became of a send is written again until the database takes it: left
    'sending', the row went again at the next start (or, on PostgreSQL, once another
    process took it for dead), and reached its person twice; and their next message
    waited until then. Over random patterns of refused writes and a restart at a random
    point: every message reaches its person once and in order, and every row ends sent."""
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_refused_records(Path(folder), failures, restart))


async def _refused_records(folder: Path, failures: list[bool], restart: int) -> None:
    runner = await open_runner(make_settings(folder), shared_content())
    try:
        wanted = [(str(a), f"{n} to {a}") for n in ("first", "second") for a in range(42, 48)]
        await queue(runner, wanted)
        refusing = Refusing(runner.db, failures)
        runner.db.write = refusing  # type: ignore[method-assign]
        time = Time()
        recorder = Recorder(time)
        limits = Limits(rate=30, per_address=1.0, concurrency=4)
        s = sender(runner, recorder, limits)
        for attempt in range(200):  # a bound, not a timing: the outbox decides
            if attempt == restart:  # a new process: rows left 'sending' go again
                s = sender(runner, recorder, limits)
                await runner.db.write(partial(outbox.recover, channel="console"))
            await s.drain_once()
            if not await runner.db.read("SELECT 1 FROM outbox WHERE status <> 'sent' LIMIT 1"):
                break
            time.now += 0.5
        assert sorted((a, t) for a, t, _ in recorder.sent()) == sorted(wanted)
        for a in {a for a, _ in wanted}:
            assert [t.split()[0] for b, t, _ in recorder.sent() if b == a] == ["first", "second"]
        assert q(runner, "SELECT status, count(*) FROM outbox GROUP BY 1") == [("sent", 12)]
    finally:
        await runner.db.close()


async def test_a_stopping_sender_leaves_unrecorded_sends_to_the_next_start(
    runner: TurnRunner,
) -> None:
    """While the database refuses every record, a sender that is told to stop still stops
    (within its grace): what it could not record goes again at the next start."""
    await queue(runner, [("42", "one")])
    refusing = Refusing(runner.db, itertools.repeat(True, 10_000))
    runner.db.write = refusing  # type: ignore[method-assign]
    time = Time()
    recorder = Recorder(time)
    async with sender(runner, recorder, Limits(rate=30)):
        for _ in range(2000):  # a bound, not a timing: the refusals decide
            if refusing.refused >= 3:
                break
            await asyncio.sleep(0.005)
    assert refusing.refused >= 3  # written again after each refusal, not left at once
    assert [t for _, t, _ in recorder.sent()] == ["one"]
    assert q(runner, "SELECT status FROM outbox") == [("sending",)]


async def test_a_record_that_fails_on_a_bug_is_not_tried_again(runner: TurnRunner) -> None:
    """Only the database being unavailable is worth waiting for: a bug's error would fail
    every time and hold every later record behind it. Those rows go again at the next
    start, as before; the records after them are written."""
    await queue(runner, [("42", "one")])
    refusing = Refusing(runner.db, [True], TypeError("a bug in a record"))
    runner.db.write = refusing  # type: ignore[method-assign]
    time = Time()
    recorder = Recorder(time)
    s = sender(runner, recorder, Limits(rate=30))
    assert await s.drain_once() == 1
    await queue(runner, [("43", "two")])
    assert await s.drain_once() == 1
    assert refusing.refused == 1
    assert [t for _, t, _ in recorder.sent()] == ["one", "two"]
    assert q(runner, "SELECT address, status FROM outbox ORDER BY id") == [
        ("42", "sending"),
        (None, "sent"),  # a sent row keeps no address
    ]


# --------------------------------------------------------------------------- actions


class Tap(Action):
    pass


async def test_actions_go_ahead_of_messages_one_per_address_within_the_rate(
    runner: TurnRunner,
) -> None:
    time = Time()
    recorder = Recorder(time)
    s = sender(runner, recorder, Limits(rate=2, margin=1.0))
    await queue(runner, [("42", "a message")])
    for _ in range(3):
        s.push("42", Tap())
    s.push("43", Tap())
    assert await s.drain_once() == 3  # 42's first action and 43's, then the message
    assert [a for a, *_ in recorder.calls] == ["42", "43", "42"]
    assert [t for _, t, *_ in recorder.calls][2] == "a message"
    await s.drain_once()
    await s.drain_once()
    stamps = [at for *_, at, _ in recorder.calls]
    assert len(stamps) == 5 and busiest(stamps, [1] * 5) <= 2


async def test_an_action_that_cannot_go_in_time_is_dropped(runner: TurnRunner) -> None:
    time = Time()
    recorder = Recorder(time)
    recorder.floods = 100  # the provider refuses everything for a long while
    s = sender(runner, recorder, Limits())
    s.push("42", Tap())
    for _ in range(40):
        await s.drain_once()
        time.now += 1.0
    tries = len(recorder.calls)
    assert 0 < tries <= Tap.lifetime  # retried after each flood limit, then given up
    assert await s.drain_once() == 0


async def test_an_idle_sender_naps_until_something_can_go(runner: TurnRunner) -> None:
    """`next_due` counts only what `claim` could take: heads of queues, after their pause;
    not bulk held in quiet hours, nor what waits behind a message waiting for a reply."""
    time = Time()
    recorder = Recorder(time)
    s = sender(runner, recorder, Limits(per_address=1.0))

    def due(hold: tuple[str, ...] = ()) -> float | None:
        with contextlib.closing(sql.lite(runner)) as conn:
            return outbox.next_due(conn, "console", hold=hold)

    def bulk(conn: Conn) -> None:
        outbox.enqueue(
            conn, None, "console", "7", [Message("a broadcast")], "now", outbox.BULK, "baraza"
        )

    await runner.db.write(bulk)
    assert due(hold=("baraza",)) is None and due() == 0.0
    await queue(runner, [("42", "one"), ("42", "two")])
    s.hold = lambda now: ["baraza"]
    assert await s.drain_once() == 1  # 42's first; the broadcast is held
    assert due(hold=("baraza",)) == pytest.approx(START + 1.0)  # 42's second, after its pause
    ((row,),) = q(runner, "SELECT id FROM outbox WHERE address = '42' AND status = 'queued'")

    def waits(conn: Conn) -> None:  # as WhatsApp outside its window
        conn.execute("UPDATE outbox SET status = 'sending' WHERE id = ?", (row,))
        outbox.wait_for_reply(conn, row, "2026-11-29T09:00:00+00:00", START + 3600, "window")
        outbox.enqueue(conn, None, "console", "42", [Message("three")], "now")

    await runner.db.write(waits)
    assert due(hold=("baraza",)) == pytest.approx(START + 3600)  # "three" waits behind it

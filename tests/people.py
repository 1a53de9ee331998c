"""Helpers for tests where people talk to a real runner on a real database: a clock the
test controls, messages in, and each person's phone (what they see: their queued messages
delivered in the order the sender would deliver them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from bot.channels.text import render
from bot.engine.io import Inbound, Message
from bot.engine.state import Item
from bot.turns import Envelope, Outcome, TurnRunner
from storage import outbox
from storage.conn import Conn
from tests.sql import rows

AT_REST = timedelta(minutes=16)
"""Long enough without writing for a broadcast to be shown at once."""


class Clock:
    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta = AT_REST) -> None:
        self.now += delta


def use_clock(runner: TurnRunner, clock: Clock) -> None:
    runner.clock = clock
    if runner.commands is not None:
        runner.commands.clock = clock  # type: ignore[attr-defined]


async def send(
    runner: TurnRunner,
    who: str,
    text: str = "",
    *,
    kind: str = "text",
    ext: str | None = None,
    channel: str = "console",
    **fields: Any,
) -> Outcome:
    inbound = Inbound(kind=kind, text=text, **fields)  # type: ignore[arg-type]
    return await runner.handle(Envelope(channel, who, inbound, ext))


async def say(runner: TurnRunner, who: str, text: str = "", **kw: Any) -> list[str]:
    """What the runner answered right away (the turn's own messages)."""
    return [m.text for m in (await send(runner, who, text, **kw)).messages]


async def broadcast(runner: TurnRunner, who: str, command: str, **kw: Any) -> list[str]:
    """A facilitator's `/prompt`, `/poll` or `/share`, then `/send` once the preview
    came back: what `/send` answered (`Poll 1 sent to 6 participants.`)."""
    preview = await say(runner, who, command, **kw)
    if not preview or "/send" not in preview[-1]:
        return preview  # refused: the reason, not a preview
    return await say(runner, who, "/send", **kw)


async def vote(runner: TurnRunner, who: str, poll: int, pick: int) -> list[str]:
    """A tap on a poll's button (Telegram)."""
    return await say(runner, who, kind="button", item=Item("poll", poll), picks=(pick,))


def _claim(conn: Conn, channel: str, address: str) -> list[outbox.Outgoing]:
    return outbox.claim(conn, channel, float("inf"), 1, address=address)


def _sent(conn: Conn, row_id: int) -> None:
    outbox.sent(conn, row_id, f"m{row_id}", datetime.now(UTC).isoformat())


async def phone(runner: TurnRunner, who: str, channel: str = "console") -> list[Message]:
    """Deliver everything queued for `who`, in the sender's order; the messages they see."""
    seen: list[Message] = []
    while True:
        rows = await runner.db.write(partial(_claim, channel=channel, address=who))
        if not rows:
            return seen
        for row in rows:
            seen.append(row.message)
            await runner.db.write(partial(_sent, row_id=row.id))


async def screen(runner: TurnRunner, who: str, channel: str = "console") -> list[str]:
    """`phone`, as the texts a basic phone shows (numbered options and hints included)."""
    return [render(m) for m in await phone(runner, who, channel)]


def q(runner: TurnRunner, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    return rows(runner, sql, params)


def pid_of(runner: TurnRunner, who: str) -> str:
    rows = q(runner, "SELECT participant_id FROM addresses WHERE address = ?", (who,))
    return str(rows[0][0]) if rows else ""


async def onboard(runner: TurnRunner, who: str, lang: str = "en", group: str = "1") -> None:
    """Open, consent, choose a language and a group: they are then at the age question."""
    await say(runner, who, kind="open")
    await say(runner, who, {"en": "yes", "fr": "oui", "es": "sí"}[lang])
    await say(runner, who, {"en": "1", "fr": "2", "es": "3"}[lang])
    await say(runner, who, group)
    await phone(runner, who)


async def stance(runner: TurnRunner, who: str, statement: int, pick: int) -> list[str]:
    """A tap on a statement's button (Telegram): 0 agree, 1 disagree, 2 pass."""
    return await say(runner, who, kind="button", item=Item("statement", statement), picks=(pick,))

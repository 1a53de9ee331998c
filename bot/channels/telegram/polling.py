"""Long polling that confirms updates only once their turns are committed.

Telegram forgets updates below the `offset` of the next getUpdates. That call comes only
after every update of the batch has been handled: different chats at the same time (their
turns share commits), one chat's updates one after another, in order (a tap and the
answer typed next never swap). A failed update is fetched again, up to MAX_ATTEMPTS
times; one the database could not take (a full disk, a lost connection) is fetched again
after a pause, for as long as that lasts, and its chat's later updates wait with it.
After a crash the batch comes again and the inbound log drops what was applied.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import enum
import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.health import ProviderHealth

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""How often a polled update whose turn failed is fetched again before it is skipped."""
LATER_PAUSES = (0.5, 8.0)
"""Seconds before fetching again an update the database could not take: the first
pause, and the longest (each one doubles)."""
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


class Handled(enum.Enum):
    """What became of one polled update."""

    DONE = "done"
    """Its turn committed, or it had none (or it was dropped as malformed)."""
    FAILED = "failed"
    """Its turn failed: fetched again, up to `MAX_ATTEMPTS` times (a bug must not hold
    every later update back)."""
    LATER = "later"
    """The database could not take it now: fetched again after a pause, never skipped
    while no update of its batch could be committed (the database is down); counted as
    FAILED when others were (it is this update, not the database)."""
    WAITING = "waiting"
    """Not tried: an earlier update of its chat comes again first."""


Handle = Callable[[Update], Awaitable[Handled]]


async def by_chat(updates: Sequence[Update], handle: Handle) -> dict[int, Handled]:
    """Handle `updates`: each chat's in order, chats at the same time. Returns what
    became of those not done, by update id. After one the database could not take, the
    chat's later updates are not tried (they come again after it, in order)."""
    chats: dict[int | None, list[Update]] = {}
    for u in updates:
        chat = u.effective_chat
        chats.setdefault(chat.id if chat is not None else None, []).append(u)

    async def one_chat(queue: list[Update]) -> dict[int, Handled]:
        undone: dict[int, Handled] = {}
        for i, u in enumerate(queue):
            handled = await handle(u)
            if handled is not Handled.DONE:
                undone[u.update_id] = handled
            if handled is Handled.LATER:
                undone.update((v.update_id, Handled.WAITING) for v in queue[i + 1 :])
                break
        return undone

    undone: dict[int, Handled] = {}
    for chat_undone in await asyncio.gather(*(one_chat(q) for q in chats.values())):
        undone.update(chat_undone)
    return undone


class Poller:
    def __init__(
        self,
        bot: Bot,
        handle: Handle,
        health: ProviderHealth,
        *,
        timeout: float,
        read_timeout: float,
        describe: Callable[[BaseException], str] = str,
    ) -> None:
        self.bot = bot
        self.handle = handle
        self.health = health
        self.timeout = timeout
        self.read_timeout = read_timeout
        self.describe = describe
        self._attempts: dict[int, int] = {}

    async def run(self) -> None:
        offset: int | None = None
        pause = 1.0
        later = LATER_PAUSES[0]
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset,
                    timeout=dtm.timedelta(seconds=self.timeout),
                    read_timeout=self.timeout + self.read_timeout,
                    allowed_updates=ALLOWED_UPDATES,
                )
            except TelegramError as exc:  # reported once, then with backoff
                log.debug("telegram: getUpdates failed (%s); again in %.0fs", exc, pause)
                await self.health.failed(f"getUpdates: {self.describe(exc)}")
                await asyncio.sleep(pause)
                pause = min(pause * 2, 60.0)
                continue
            pause = 1.0
            await self.health.ok()
            if updates:
                undone = await by_chat(updates, self.handle)
                offset = self._next_offset(updates, undone)
                if Handled.LATER in undone.values():
                    log.warning(
                        "telegram: the database could not take %d updates; again in %gs",
                        sum(h is not Handled.FAILED for h in undone.values()),
                        later,
                    )
                    await asyncio.sleep(later)
                    later = min(later * 2, LATER_PAUSES[1])
                else:
                    later = LATER_PAUSES[0]

    def _next_offset(self, updates: Sequence[Update], undone: dict[int, Handled]) -> int:
        """Past the batch, or at the first update not done that may be tried again."""
        retry = []
        down = len(undone) == len(updates)  # nothing of the batch could be committed
        for u in updates:
            handled = undone.get(u.update_id)
            if handled is None:
                continue
            if handled is Handled.WAITING or (handled is Handled.LATER and down):
                retry.append(u.update_id)
                continue
            tries = self._attempts[u.update_id] = self._attempts.get(u.update_id, 0) + 1
            if tries < MAX_ATTEMPTS:
                retry.append(u.update_id)
            else:
                log.error("telegram: update %d failed %d times; skipped", u.update_id, tries)
        if retry:
            return min(retry)
        self._attempts.clear()
        return updates[-1].update_id + 1

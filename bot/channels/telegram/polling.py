"""Long polling that confirms updates only once their turns are committed.

Telegram forgets updates below the `offset` of the next getUpdates. That call comes only
after every update of the batch has been handled: different chats at the same time (their
turns share commits), one chat's updates one after another, in order (a tap and the
answer typed next never swap). A failed update is fetched again, up to MAX_ATTEMPTS
times. After a crash the batch comes again and the inbound log drops what was applied.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.health import ProviderHealth

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""How often a polled update whose turn failed is fetched again before it is skipped."""
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]

Handle = Callable[[Update], Awaitable[bool]]
"""Handles one update; False if it failed (and should be fetched again)."""


async def by_chat(updates: Sequence[Update], handle: Handle) -> set[int]:
    """Handle `updates`: each chat's in order, chats at the same time. Returns the ids of
    the updates that failed."""
    chats: dict[int | None, list[Update]] = {}
    for u in updates:
        chat = u.effective_chat
        chats.setdefault(chat.id if chat is not None else None, []).append(u)

    async def one_chat(queue: list[Update]) -> list[int]:
        return [u.update_id for u in queue if not await handle(u)]

    failed: set[int] = set()
    for ids in await asyncio.gather(*(one_chat(q) for q in chats.values())):
        failed.update(ids)
    return failed


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
                failed = await by_chat(updates, self.handle)
                offset = self._next_offset(updates, failed)

    def _next_offset(self, updates: Sequence[Update], failed: set[int]) -> int:
        """Past the batch, or at the first failed update that may be tried again."""
        retry = []
        for u in updates:
            if u.update_id not in failed:
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

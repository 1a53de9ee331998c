"""Work that exactly one process does, however many `baraza run` share the database: the
Telegram poller, the sender of each channel (it alone keeps the channel's overall rate)
and the scheduler.

A `Role` waits until this process is elected (`Database.elect`: a PostgreSQL advisory
lock held by this process's connection; on SQLite, one process, at once), runs its work
while the election holds, and stops it when the election is lost (the connection that
held it is gone: PostgreSQL restarted, the network broke). Another process takes the role
at its next try, within `CHECK` seconds of the lock being free; it first waits `HANDOVER`
seconds, so that a holder that lost the role while still alive has stopped sending
before the new one starts (the rate is never exceeded, nothing is claimed twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from storage.db import Database, Lease

log = logging.getLogger(__name__)

CHECK = 1.0
"""Seconds between two tries to take a role, and between two checks that it still holds."""
HANDOVER = 2.0
"""Seconds a new holder waits before starting (more than CHECK: the one that lost it has
noticed and stopped by then)."""
RESTART = 5.0
"""Seconds before work that failed is started again (the role is kept meanwhile)."""


class Role:
    """`await role.hold()` runs `run()` whenever this process holds the role `name`,
    until `stop()`. `stop` (if given) asks `run()` to finish what it has in hand; without
    it, or when the role is lost, `run()` is cancelled."""

    def __init__(
        self,
        db: Database,
        name: str,
        run: Callable[[], Coroutine[Any, Any, None]],
        stop: Callable[[], None] | None = None,
        *,
        check: float = CHECK,
        handover: float | None = None,
    ) -> None:
        self.db = db
        self.name = name
        self._run = run
        self._stop = stop
        self.check = check
        self.handover = handover if handover is not None else (HANDOVER if db.shared else 0.0)
        self.held = False
        self._stopping = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def stop(self) -> None:
        """Finish: the work in hand is completed (if `stop` was given), the role freed."""
        self._stopping = True
        self._wake.set()
        if self._task is not None and not self._task.done():
            if self._stop is not None:
                self._stop()
            else:
                self._task.cancel()

    async def hold(self) -> None:
        while not self._stopping:
            lease = await self._elect()
            if lease is None:
                await self._pause(self.check)
                continue
            self.held = True
            try:
                await self._serve(lease)
            finally:
                self.held = False
                with contextlib.suppress(Exception):
                    await lease.release()
                if self.db.shared:
                    log.info("%s: role given up", self.name)

    async def _elect(self) -> Lease | None:
        try:
            return await self.db.elect(self.name)
        except Exception as exc:  # the database is unreachable: try again later
            log.debug("%s: cannot take the role now: %s", self.name, exc)
            return None

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _serve(self, lease: Lease) -> None:
        """Run the work while the role holds (checked every `check` seconds, also while
        failed work waits to start again); stop it as soon as the role is lost."""
        await self._pause(self.handover)
        if self._stopping or not await lease.alive():
            return
        if self.db.shared:
            log.info("%s: this process holds the role", self.name)
        restart_at = 0.0
        loop = asyncio.get_running_loop()
        try:
            while not (self._stopping and self._task is None):
                if self._task is None and loop.time() >= restart_at:
                    self._task = asyncio.create_task(self._run(), name=self.name)
                task = self._task
                if task is None:
                    await self._pause(min(self.check, restart_at - loop.time()))
                else:
                    await asyncio.wait({task}, timeout=self.check)
                if task is not None and task.done():
                    self._task = None
                    if task.cancelled() or self._stopping or task.exception() is None:
                        return
                    exc = task.exception()
                    log.error(
                        "%s failed (%s: %s); starting it again in %.0fs",
                        self.name,
                        type(exc).__name__,
                        exc,
                        RESTART,
                        exc_info=exc,
                    )
                    restart_at = loop.time() + RESTART
                if not await lease.alive():
                    log.warning(
                        "%s: role lost (the database connection holding it is gone);"
                        " stopping here, another process takes over",
                        self.name,
                    )
                    return
        finally:
            task, self._task = self._task, None
            if task is not None:
                await _cancel(task)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


@contextlib.asynccontextmanager
async def holding(role: Role, grace: float) -> AsyncIterator[Role]:
    """`role` held in the background for the block; on the way out its work is asked to
    finish what it has in hand (up to `grace` seconds), then the role is freed."""
    task = asyncio.create_task(role.hold(), name=f"role-{role.name}")
    try:
        yield role
    finally:
        role.stop()
        try:
            await asyncio.wait_for(task, grace)
        except TimeoutError:
            log.warning("%s did not stop in %ss; its work in hand goes again", role.name, grace)

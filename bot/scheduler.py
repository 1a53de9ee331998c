"""Scheduled work run by `baraza run`: polls that open and close at set times, reminders
before each session, agendas to look at again (someone at rest has something waiting),
broadcasts a crash interrupted, and data past its retention period. Everything is read
from the database on every tick, so it all survives a restart; quiet hours are held by
the senders."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.engine.state import Item
from bot.facilitator import broadcast
from bot.turns import TurnRunner
from storage import drafts, inbound, jobs, outbox, prompts
from storage.conn import Conn

log = logging.getLogger(__name__)
RETENTION = timedelta(days=30)


@dataclass
class Scheduler:
    runner: TurnRunner
    interval: float = 15.0
    retention: timedelta = RETENTION
    """How long the inbound log and finished outbox rows are kept."""
    files_dir: Path | None = None
    """Where exports and charts are written; files older than a day are removed."""

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("scheduled work failed; trying again next tick")
            await asyncio.sleep(self.interval)

    async def tick(self) -> int:
        """Do whatever is due now; returns how many things were done."""
        now = self.runner.clock()
        done: int = await self.runner.db.write(lambda conn: self._due(conn, now))
        done += await self.runner.dispatch()
        done += await self.runner.wake_due()
        self._prune_files(now)
        if done:
            self.runner.doorbell.ring()
        return done

    def _due(self, conn: Conn, now: datetime) -> int:
        stamp = now.isoformat()
        done = 0
        for pid in prompts.open_due(conn, stamp):
            row = prompts.get(conn, pid)
            if row is not None:
                item = Item("poll" if row.kind == "poll" else "prompt", pid)
                reached = broadcast.start(conn, item, row, stamp, urgent=False)
                log.info("scheduled %s %d opened for %d participants", row.kind, pid, reached)
                done += 1
        for pid in prompts.due_to_close(conn, stamp):
            prompts.close(conn, pid, stamp)
            log.info("poll %d closed at its deadline", pid)
            done += 1
        for d in self.runner.dialogues.values():
            for number, session in enumerate(d.sessions):
                due = session.at - timedelta(hours=d.reminder_hours)
                if not due <= now < session.at:
                    continue
                key = f"reminder:{d.code}:{session.at.isoformat()}"
                if jobs.once(conn, key, d.code, "reminder", due.isoformat(), stamp):
                    count = broadcast.notice(conn, d.code, number, stamp)
                    log.info("reminder for %s going to %d participants", key, count)
                    done += 1
        before = (now - self.retention).isoformat()
        pruned = inbound.prune(conn, before) + outbox.prune(conn, before)
        pruned += drafts.prune(conn, before)
        if pruned:
            log.info("pruned %d rows older than %s", pruned, before)
        return done

    def _prune_files(self, now: datetime) -> None:
        """Exports and charts are removed once sent; this catches any left behind (a
        message cancelled by STOP, a crash before sending)."""
        if self.files_dir is None or not self.files_dir.is_dir():
            return
        cutoff = (now - timedelta(days=1)).timestamp()
        for path in self.files_dir.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError as exc:
                log.warning("could not remove old file %s: %s", path, exc)

"""Scheduled work run by `baraza run`: polls that open and close at set times, and
reminders before each session. Everything is read from the database on every tick, so
it all survives a restart; quiet hours are held by the senders."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.dialogues import Dialogue
from bot.facilitator import broadcast
from bot.i18n import Translator
from storage import audience, jobs, prompts
from storage.db import Database

log = logging.getLogger(__name__)
LATE_REPLY_GRACE = timedelta(hours=24)
"""How long after a poll closes a late reply is still recognised as a late vote."""


@dataclass
class Scheduler:
    db: Database
    tr: Translator
    dialogues: Mapping[str, Dialogue]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    interval: float = 15.0
    on_queued: Callable[[], None] = lambda: None

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("scheduled work failed; trying again next tick")
            await asyncio.sleep(self.interval)

    async def tick(self) -> int:
        """Do whatever is due now; returns how many things were done."""
        now = self.clock()
        done = await self.db.write(lambda conn: self._due(conn, now))
        if done:
            self.on_queued()
        return done

    def _due(self, conn: sqlite3.Connection, now: datetime) -> int:
        stamp = now.isoformat()
        done = 0
        for pid in prompts.due_to_open(conn, stamp):
            row = prompts.get(conn, pid)
            if row is not None:
                reached = broadcast.send_prompt(conn, row, self.tr, now)
                log.info("scheduled %s %d opened for %d participants", row.kind, pid, reached)
                done += 1
        for pid in prompts.due_to_close(conn, stamp):
            prompts.close(conn, pid, stamp)
            log.info("poll %d closed at its deadline", pid)
            done += 1
        grace = (now - LATE_REPLY_GRACE).isoformat()
        if audience.clear_closed_prompts(conn, grace):
            done += 1
        for d in self.dialogues.values():
            for session in d.sessions:
                due = session.at - timedelta(hours=d.reminder_hours)
                if not due <= now < session.at:
                    continue
                key = f"reminder:{d.code}:{session.at.isoformat()}"
                if jobs.once(conn, key, d.code, "reminder", due.isoformat(), stamp):
                    local = session.at.astimezone(d.zone()).strftime("%Y-%m-%d %H:%M")

                    def text(
                        lang: str, d: Dialogue = d, title: str = session.title, when: str = local
                    ) -> str:
                        return self.tr(
                            lang, "session-reminder", title=title or d.title_in(lang), date=when
                        )

                    count = broadcast.remind(conn, d.code, text, now)
                    log.info("reminder for %s sent to %d participants", key, count)
                    done += 1
        return done

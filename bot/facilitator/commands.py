"""Facilitator commands, from any channel: /prompt /poll /close /results /share
/dashboard /export /web. Anyone not named a facilitator is refused, nothing changes, and the
attempt is logged.

A facilitator is `telegram:<user id>`, `tel:<E.164>` or `console:<name>`, listed in
FACILITATORS (optionally `@<dialogue>`: without it, every dialogue) or added with
`baraza facilitators add`.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from bot.agenda_views import poll_table
from bot.dialogues import Dialogue
from bot.engine.io import Message
from bot.engine.state import Item
from bot.facilitator import broadcast, dashboard, export
from bot.facilitator.parse import (
    Command,
    UsageError,
    duration,
    parse_command,
    poll_texts,
    prompt_texts,
)
from bot.i18n import Translator, pick_language
from bot.phones import mask_address
from bot.turns import Envelope, Outcome
from storage import facilitators, inbound, outbox, participants, prompts
from storage.db import Database
from storage.prompts import PromptRow

log = logging.getLogger(__name__)
PREFIX = {"sms": "tel", "telegram": "telegram", "console": "console"}


def identity(channel: str, address: str) -> str:
    return f"{PREFIX.get(channel, channel)}:{address}"


def parse_facilitators(setting: str) -> dict[str, set[str] | None]:
    """`telegram:1@water, tel:+254...` -> {address: {dialogues} or None for all}."""
    found: dict[str, set[str] | None] = {}
    for item in setting.replace(",", " ").split():
        address, _, code = item.partition("@")
        if ":" not in address:
            continue
        if not code:
            found[address] = None
        elif found.get(address, set()) is not None:
            found.setdefault(address, set()).add(code)  # type: ignore[union-attr]
    return found


@dataclass
class Facilitation:
    db: Database
    tr: Translator
    dialogues: Mapping[str, Dialogue]
    default_dialogue: str
    configured: dict[str, set[str] | None]
    files_dir: Path
    """Where charts and exports are written before they are sent."""
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    dispatch: Callable[[], Awaitable[int]] | None = None
    """Delivers queued broadcasts (the runner's); awaited before a command answers."""
    web_base: str = "http://127.0.0.1:8080"
    """Where the web pages are reached, for the links `/web` gives (`bot.web.login`)."""

    async def _dispatch(self) -> None:
        if self.dispatch is not None:
            await self.dispatch()

    async def allowed_dialogues(self, who: str) -> list[str]:
        conf = self.configured.get(who, set())
        if conf is None:
            return list(self.dialogues)
        stored = await self.db.write(partial(facilitators.dialogues_of, address=who))
        return [d for d in self.dialogues if d in conf or d in stored]

    async def handle(self, env: Envelope) -> Outcome | None:
        cmd = parse_command(env.inbound.text)
        if cmd is None:
            return None
        if env.external_id is not None and not await self.db.write(
            partial(
                inbound.claim,
                channel=env.channel,
                external_id=env.external_id,
                now=self.clock().isoformat(),
            )
        ):
            # A redelivered /poll must not create and broadcast a second poll. (A crash
            # right after this claim loses the command; the facilitator sees no answer.)
            return Outcome(duplicate=True)
        who = identity(env.channel, env.address)
        allowed = await self.allowed_dialogues(who)
        lang = await self._language(env)
        if not allowed:
            log.warning(
                "refused facilitator command /%s from %s", cmd.name, mask_address(who)
            )
            return await self._reply(env, [Message(self.tr(lang, "fac-refused"))])
        code = cmd.options.get("dialogue") or (
            self.default_dialogue if self.default_dialogue in allowed else allowed[0]
        )
        if code not in allowed:
            return await self._reply(
                env, [Message(self.tr(lang, "fac-unknown-dialogue", code=code))]
            )
        try:
            messages = await self._run(cmd, self.dialogues[code], who, lang)
        except UsageError as err:
            messages = [Message(self.tr(lang, err.msg_id, **err.args_))]
        log.info("facilitator %s ran /%s on %s", mask_address(who), cmd.name, code)
        return await self._reply(env, messages)

    async def _language(self, env: Envelope) -> str:
        found = await self.db.write(
            partial(participants.find, channel=env.channel, address=env.address)
        )
        if found is not None:
            return found.language
        return pick_language(None, env.inbound.lang_hint, "en", self.tr)

    async def _reply(self, env: Envelope, messages: list[Message]) -> Outcome:
        now = self.clock().isoformat()

        def job(conn: sqlite3.Connection) -> Outcome:
            found = participants.find(conn, env.channel, env.address)
            pid = found.id if found else None
            outbox.enqueue(conn, pid, env.channel, env.address, messages, now)
            return Outcome(False, pid, tuple(messages))

        return await self.db.write(job)

    async def _run(self, cmd: Command, d: Dialogue, who: str, lang: str) -> list[Message]:
        now = self.clock()
        if cmd.name in ("prompt", "poll"):
            return await self._create(cmd, d, who, lang, now)
        if cmd.name == "web":
            from bot.web import login

            return [Message(await login.command(self, who, cmd.body, lang))]
        if cmd.name == "dashboard":
            board = await dashboard.build(self.db, d, now, lang)
            png = dashboard.chart(
                board, self.files_dir / f"dashboard-{d.code}-{now:%Y%m%d-%H%M%S}.png"
            )
            return [Message(dashboard.text(board), attachment=str(png))]
        if cmd.name == "export":
            out = self.files_dir / f"export-{d.code}-{now:%Y%m%d-%H%M%S}.csv"
            rows = await export.write(self.db, d.code, "csv", out)
            return [
                Message(
                    self.tr(lang, "fac-export-ready", code=d.code, rows=rows), attachment=str(out)
                )
            ]
        row = await self._poll(cmd, d)
        if row is None:
            return [Message(self.tr(lang, "fac-no-poll"))]
        if cmd.name == "close":
            return [await self.close(row, lang)]
        if cmd.name == "results":
            votes = await self.db.write(partial(prompts.votes_by_group, prompt_id=row.id))
            return [self._results(row, votes, lang)]
        # share: the results go on everyone's agenda, as information
        stamp = now.isoformat()

        def share(conn: sqlite3.Connection) -> int:
            prompts.mark_shared(conn, row.id, stamp)
            return broadcast.start(conn, Item("results", row.id), row, stamp, urgent=False)

        count = await self.db.write(share)
        await self._dispatch()
        return [Message(self.tr(lang, "fac-shared", id=row.id, count=count))]

    async def _create(
        self, cmd: Command, d: Dialogue, who: str, lang: str, now: datetime
    ) -> list[Message]:
        group = cmd.options.get("to")
        if group is not None and d.targets and group not in d.targets and group != "prefer-not":
            raise UsageError("fac-unknown-group", group=group)
        if cmd.name == "prompt":
            texts = prompt_texts(cmd.body, d.spoken(self.tr.languages))
        else:
            texts = poll_texts(cmd.body, d.spoken(self.tr.languages))
        closes = (
            (now + duration(cmd.options["closes"])).isoformat() if "closes" in cmd.options else None
        )
        opens = now + duration(cmd.options["opens"]) if "opens" in cmd.options else None

        urgent = "urgent" in cmd.options

        def job(conn: sqlite3.Connection) -> tuple[int, int]:
            pid = prompts.create(
                conn,
                d.code,
                cmd.name,
                texts,
                group,
                who,
                now.isoformat(),
                closes,
                opens.isoformat() if opens else None,
            )
            if opens is not None:
                return pid, -1
            prompts.mark_sent(conn, pid, 0, now.isoformat())
            row = prompts.get(conn, pid)
            assert row is not None
            item = Item("poll" if cmd.name == "poll" else "prompt", pid)
            return pid, broadcast.start(conn, item, row, now.isoformat(), urgent)

        pid, count = await self.db.write(job)
        await self._dispatch()
        if count < 0 and opens is not None:
            return [
                Message(
                    self.tr(
                        lang,
                        "fac-poll-scheduled",
                        id=pid,
                        time=opens.strftime("%Y-%m-%d %H:%M UTC"),
                    )
                )
            ]
        key = "fac-prompt-sent" if cmd.name == "prompt" else "fac-poll-sent"
        return [Message(self.tr(lang, key, id=pid, count=count))]

    async def _poll(self, cmd: Command, d: Dialogue) -> PromptRow | None:
        if cmd.body.strip().isdigit():
            row = await self.db.write(partial(prompts.get, prompt_id=int(cmd.body.strip())))
            return row if row is not None and row.dialogue == d.code else None
        return await self.db.write(partial(prompts.latest, dialogue=d.code, kind="poll"))

    async def close(self, row: PromptRow, lang: str) -> Message:
        now = self.clock().isoformat()

        # Pending replies stay pending for a while: a late "2" by SMS is then told the poll
        # is closed instead of being taken as the answer to the flow's question.
        closed = await self.db.write(partial(prompts.close, prompt_id=row.id, now=now))
        votes = await self.db.write(partial(prompts.votes_by_group, prompt_id=row.id))
        total = poll_table(votes, len(row.options(lang))).overall.total
        key = "fac-poll-closed" if closed else "fac-already-closed"
        return Message(self.tr(lang, key, id=row.id, votes=total.text))

    def _results(self, row: PromptRow, votes: list[tuple[str, str, int]], lang: str) -> Message:
        labels = row.options(lang)
        shown = poll_table(votes, len(labels)).overall
        closed = not row.is_open(self.clock().isoformat())
        head = self.tr(
            lang,
            "fac-results",
            id=row.id,
            question=str(row.text_in(lang)["question"]),
            votes=shown.total.text,
            state=self.tr(lang, "fac-state-closed" if closed else "fac-state-open"),
        )
        return Message("\n".join([head, *broadcast.bars(labels, shown)]))

"""The turn pipeline: one inbound -> one transaction (log, state, answers, outbox).

Channels hand in an `Envelope`; the runner loads the participant by address inside the
writer's transaction, calls the pure engine, and stores the whole turn. Turns are applied
in the order they arrive, so one participant's turns never overtake each other; nothing
about a participant is held in memory between turns.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Protocol

from bot.dialogues import Dialogue
from bot.engine import keywords
from bot.engine.advance import Context, advance
from bot.engine.io import Inbound, Message, Prompt, Turn
from bot.engine.state import Participant
from bot.flows import Flow
from bot.i18n import Translator, pick_language
from bot.outbox import Doorbell
from storage import flow_versions, inbound, outbox, participants, prompts
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Envelope:
    """A provider's message reduced to what the turn needs."""

    channel: str
    address: str
    inbound: Inbound
    external_id: str | None = None


class CommandHandler(Protocol):
    async def handle(self, env: Envelope) -> Outcome | None:
        """Handle a facilitator command; None when the text is not one."""
        ...


@dataclass(frozen=True)
class Outcome:
    duplicate: bool = False
    participant_id: str | None = None
    messages: tuple[Message, ...] = ()


@dataclass
class TurnRunner:
    db: Database
    tr: Translator
    flows: Mapping[str, Flow]
    dialogues: Mapping[str, Dialogue]
    default_dialogue: str
    default_language: str = "en"
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    versions: dict[str, Flow] = field(default_factory=dict)
    doorbell: Doorbell = field(default_factory=Doorbell)
    """Rung whenever a turn queued messages, so senders wake up."""
    commands: CommandHandler | None = None
    """Facilitator commands (`/poll`, `/dashboard`...), handled before the engine."""

    async def start(self) -> None:
        """Remember the current flow versions and load every version runs may be pinned to."""
        now = self.clock().isoformat()

        def job(conn: sqlite3.Connection) -> list[tuple[str, str]]:
            for flow in self.flows.values():
                flow_versions.remember(conn, flow.version, flow.id, flow.model_dump_json(), now)
            outbox.recover(conn)
            return flow_versions.all_versions(conn)

        for version, body in await self.db.write(job):
            self.versions[version] = Flow.model_validate_json(body)

    async def handle(self, env: Envelope) -> Outcome:
        if self.commands is not None and env.inbound.kind == "text":
            handled = await self.commands.handle(env)
            if handled is not None:
                self.doorbell.ring()
                return handled
        outcome = await self.db.write(partial(self.turn, env=env))
        if outcome.messages:
            self.doorbell.ring()
        return outcome

    def turn(self, conn: sqlite3.Connection, env: Envelope) -> Outcome:
        """The whole turn, in the writer's thread: read, advance (pure), store."""
        now = self.clock()
        stamp = now.isoformat()
        if env.external_id is not None and not inbound.claim(
            conn, env.channel, env.external_id, stamp
        ):
            return Outcome(duplicate=True)
        found = participants.find(conn, env.channel, env.address)
        if found is None:
            lang = pick_language(None, env.inbound.lang_hint, self.default_language)
            before = Participant(
                id=participants.new_id(), language=lang, dialogue=self.default_dialogue
            )
            participants.create(conn, before, env.channel, env.address, stamp)
        else:
            before = found
        count = 0
        if before.consented and _asks_for_data(env.inbound):
            count = participants.answer_count(conn, before.id)
        ctx = Context(
            self.tr,
            self.flows,
            self.versions,
            self.dialogues,
            self.default_dialogue,
            count,
            self._prompts(conn, before, env.inbound, stamp),
        )
        turn = advance(ctx, before, env.inbound, now)
        self._store(conn, env, before, turn, stamp)
        return Outcome(False, turn.participant.id, tuple(turn.messages))

    @staticmethod
    def _prompts(
        conn: sqlite3.Connection, p: Participant, inbound: Inbound, now: str
    ) -> dict[int, Prompt]:
        wanted = {i for i in (p.prompt, inbound.poll) if i is not None}
        found = {}
        for prompt_id in wanted:
            row = prompts.get(conn, prompt_id)
            if row is not None and row.dialogue == p.dialogue:
                found[prompt_id] = row.as_seen_in(p.language, now)
        return found

    @staticmethod
    def _store(
        conn: sqlite3.Connection, env: Envelope, before: Participant, turn: Turn, now: str
    ) -> None:
        p = turn.participant
        if turn.erase:
            participants.erase(conn, p.id)
            outbox.enqueue(conn, None, env.channel, env.address, turn.messages, now)
            return
        if not turn.changed:
            return
        participants.save(conn, before, p, now)
        participants.save_runs(conn, p.id, p.dialogue, turn.runs, now)
        if turn.answers:
            participants.save_answers(conn, p.id, turn.answers, p.language, env.channel, now)
        if turn.responses:
            prompts.save_responses(conn, p.id, turn.responses, p.language, env.channel, now)
        outbox.enqueue(conn, p.id, env.channel, env.address, turn.messages, now)


def _asks_for_data(inbound: Inbound) -> bool:
    """Only MYDATA shows the answer count: no need to count on every turn."""
    cmd = keywords.parse(inbound.text) if inbound.kind == "text" else None
    return cmd is not None and cmd.keyword == "mydata"

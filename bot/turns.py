"""The turn pipeline: one inbound -> one transaction (log, state, answers, outbox).

Channels hand in an `Envelope`; the runner loads the participant by address inside the
writer's transaction, calls the pure engine, and stores the whole turn. Turns are applied
in the order they arrive, so one participant's turns never overtake each other; nothing
about a participant is held in memory between turns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiosqlite

from bot.engine.advance import Context, Dialogue, advance
from bot.engine.io import Inbound, Message, Turn
from bot.engine.state import Participant
from bot.flows import Flow
from bot.i18n import Translator, pick_language
from bot.outbox import Doorbell
from storage import flow_versions, inbound, outbox, participants
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Envelope:
    """A provider's message reduced to what the turn needs."""

    channel: str
    address: str
    inbound: Inbound
    external_id: str | None = None


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
    dialogue: Dialogue
    default_language: str = "en"
    dialogues: Mapping[str, Dialogue] = field(default_factory=dict)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    versions: dict[str, Flow] = field(default_factory=dict)
    doorbell: Doorbell = field(default_factory=Doorbell)
    """Rung whenever a turn queued messages, so senders wake up."""

    async def start(self) -> None:
        """Remember the current flow versions and load every version runs may be pinned to."""
        now = self.clock().isoformat()

        async def job(conn: aiosqlite.Connection) -> list[tuple[str, str]]:
            for flow in self.flows.values():
                await flow_versions.remember(
                    conn, flow.version, flow.id, flow.model_dump_json(), now
                )
            await outbox.recover(conn)
            return await flow_versions.all_versions(conn)

        for version, body in await self.db.write(job):
            self.versions[version] = Flow.model_validate_json(body)

    async def handle(self, env: Envelope) -> Outcome:
        outcome = await self.db.write(lambda conn: self._turn(conn, env))
        if outcome.messages:
            self.doorbell.ring()
        return outcome

    async def _turn(self, conn: aiosqlite.Connection, env: Envelope) -> Outcome:
        now = self.clock()
        stamp = now.isoformat()
        if env.external_id is not None and not await inbound.claim(
            conn, env.channel, env.external_id, stamp
        ):
            return Outcome(duplicate=True)
        found = await participants.find(conn, env.channel, env.address)
        if found is None:
            lang = pick_language(None, env.inbound.lang_hint, self.default_language)
            before = Participant(id=participants.new_id(), language=lang)
            await participants.create(
                conn, before, self.dialogue.code, env.channel, env.address, stamp
            )
        else:
            before = found.participant
        count = 0
        if env.inbound.kind == "text" and before.consented:
            count = await participants.answer_count(conn, before.id)
        ctx = Context(self.tr, self.flows, self.versions, self.dialogue, self.dialogues, count)
        turn = advance(ctx, before, env.inbound, now)
        await self._store(conn, env, before, turn, stamp)
        return Outcome(False, turn.participant.id, tuple(turn.messages))

    async def _store(
        self, conn: aiosqlite.Connection, env: Envelope, before: Participant, turn: Turn, now: str
    ) -> None:
        p = turn.participant
        if turn.erase:
            await participants.erase(conn, p.id)
            await outbox.enqueue(conn, None, env.channel, env.address, turn.messages, now)
            return
        if not turn.changed:
            return
        await participants.save(conn, before, p, now)
        await participants.save_runs(conn, p.id, turn.runs, now)
        if turn.answers:
            await participants.save_answers(conn, p.id, turn.answers, p.language, env.channel, now)
        await outbox.enqueue(conn, p.id, env.channel, env.address, turn.messages, now)

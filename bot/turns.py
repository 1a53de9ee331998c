"""The turn pipeline: one inbound -> one transaction (log, state, answers, outbox).

Channels hand in an `Envelope`; the runner loads the participant by address inside the
writer's transaction, calls the pure engine, and stores the whole turn. Turns are applied
in the order they arrive, so one participant's turns never overtake each other; nothing
about a participant is held in memory between turns.

Baraza also starts turns itself: a broadcast is delivered to each participant of its
audience as a `deliver` turn (a batch of participants per transaction), and someone with
something waiting on their agenda gets a `wake` turn once they are at rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Protocol

from bot import agenda_views
from bot.delivery import Doorbell
from bot.dialogues import Dialogue
from bot.engine import keywords, replies
from bot.engine.advance import Context, advance
from bot.engine.io import Inbound, Message, Turn
from bot.engine.state import Item, Participant
from bot.flows import Flow
from bot.i18n import Translator
from bot.records import quick_init
from storage import (
    broadcasts,
    flow_versions,
    inbound,
    outbox,
    participants,
    prompts,
    statements,
)
from storage.conn import Conn
from storage.db import Database

log = logging.getLogger(__name__)
BATCH = 50
"""Participants a broadcast reaches in one transaction (10-20 ms of the writer). The
sender's claims wait behind it with a tenth of a second's sending in hand: at 200 a batch
(50-80 ms) they ran dry, and a broadcast at 200/s lost 130 sends' time in its first
seconds (bench 3: 1.04x -> 1.03x of N/R)."""
MAX_ASKED = 20
"""Statements a `statements` step may ask at most (its `count` is 1-20)."""


@quick_init
@dataclass(frozen=True)
class Envelope:
    """A provider's message reduced to what the turn needs."""

    channel: str
    address: str
    inbound: Inbound
    external_id: str | None = None


class CommandHandler(Protocol):
    async def handle(self, env: Envelope, *, facilitator: bool = False) -> Outcome | None:
        """Handle a facilitator's message, or anyone's facilitator command; None for the
        rest. `facilitator`: the turn found the sender to be one (`is_facilitator`)."""
        ...

    def facilitator_question(
        self, channel: str, address: str
    ) -> tuple[str, tuple[str, ...]] | None:
        """Asked in every turn with its first read (`storage.participants.finding`): is
        this a facilitator (facilitators are not participants, their messages go back to
        `handle`). None: one known without asking."""
        ...

    def is_facilitator(self, conn: Conn, channel: str, address: str) -> bool:
        """The same question asked apart (an address without a participant row)."""
        ...


@quick_init
@dataclass(frozen=True)
class Outcome:
    duplicate: bool = False
    participant_id: str | None = None
    messages: tuple[Message, ...] = ()
    turn: Turn | None = None
    facilitator: bool = False
    """The sender is a facilitator: no turn was run (their commands handle it)."""


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
    _deliberating: frozenset[str] | None = field(default=None, init=False, repr=False)
    _behind: asyncio.Task[None] | None = field(default=None, init=False, repr=False)
    """What `dispatch_started` left to deliver, going on in the background."""

    async def start(self) -> None:
        """Remember the current flow versions and load every version runs may be pinned to."""
        now = self.clock().isoformat()

        # Rows a sender that died left 'sending' go back to the queue: all of them if this
        # process is the only one, else those abandoned for longer than any send takes.
        lease = self.db.claim_lease
        abandoned = (self.clock() - timedelta(seconds=lease)).timestamp() if lease else None

        def job(conn: Conn) -> list[tuple[str, str]]:
            for flow in self.flows.values():
                flow_versions.remember(conn, flow.version, flow.id, flow.model_dump_json(), now)
            outbox.recover(conn, claimed_before=abandoned)
            return flow_versions.all_versions(conn)

        for version, body in await self.db.write(job):
            self.versions[version] = Flow.model_validate_json(body)

    async def handle(self, env: Envelope) -> Outcome:
        outcome = None
        if self.commands is not None:
            outcome = await self.commands.handle(env)
        if outcome is None:
            outcome = await self.db.write(_TurnJob(self, env))
            if outcome.turn is not None and outcome.turn.erase:
                self.db.erased()
                # the last texts people typed, normalised, stay in this cache until others
                # push them out: after an erasure, none of them may be the erased person's
                replies.norm.cache_clear()
        if outcome.facilitator and self.commands is not None:
            outcome = await self.commands.handle(env, facilitator=True) or outcome
        if outcome.messages:
            self.doorbell.ring()
        return outcome

    # --- a person's turn ----------------------------------------------------------------

    def first_reads(self, conn: Conn, env: Envelope, now: datetime) -> FirstReads:
        """Three questions sent together (one round trip on PostgreSQL, or none of their
        own when a batch starts them ahead): is this a facilitator, is the message new
        (claimed), who is it (their row locked)."""
        question = None
        if self.commands is not None:
            question = self.commands.facilitator_question(env.channel, env.address)
        claimed = None
        if env.external_id is not None:
            claimed = inbound.claiming(conn, env.channel, env.external_id, now.isoformat())
        found = participants.finding(
            conn, env.channel, env.address, lock=True, facilitator=question
        )
        known = self.commands is not None and question is None
        return FirstReads(now, known, claimed, found)

    def turn(self, conn: Conn, env: Envelope, reads: FirstReads | None = None) -> Outcome:
        """The whole turn, in the writer's transaction: read, advance (pure), store.
        `reads`: its first reads, sent ahead (`_TurnJob.start`)."""
        if reads is None:
            reads = self.first_reads(conn, env, self.clock())
        now = reads.now
        stamp = now.isoformat()
        claimed = reads.claimed
        found, facilitates = reads.found()
        facilitator = reads.known_facilitator or bool(facilitates)
        if self.commands is not None and facilitates is None and not facilitator:
            facilitator = self.commands.is_facilitator(conn, env.channel, env.address)
        if facilitator:
            if env.external_id is not None and claimed is not None and claimed():
                inbound.unclaim(conn, env.channel, env.external_id)
            return Outcome(facilitator=True)  # nothing claimed or stored: not a participant
        if claimed is not None and not claimed():
            return Outcome(duplicate=True)
        if found is None:
            if env.inbound.kind == "button":
                # a tap on an old message (e.g. after DELETE): no record is made for it
                return Outcome(messages=self._closed(env))
            lang = self.tr.pick(None, env.inbound.lang_hint, self.default_language)
            before = Participant(
                id=participants.new_id(), language=lang, dialogue=self.default_dialogue
            )
            participants.create(conn, before, env.channel, env.address, stamp)
        else:
            before = found
            if conn.grouped is not None:  # their rows of a turn just before must be written
                conn.grouped.touch(found.id)
        unseen: frozenset[Item] = frozenset()
        if before.tentative:
            since = before.last_seen.isoformat() if before.last_seen else ""
            taken = outbox.take_back_unsent(conn, before.id, since)
            unseen = frozenset(i for k in taken if (i := Item.parse(k)) is not None)
        cmd = (
            keywords.parse(env.inbound.text, self.tr.lexicon)
            if env.inbound.kind == "text"
            else None
        )
        count = 0
        if before.consented and cmd is not None and cmd.keyword == "mydata":
            count = participants.answer_count(conn, before.id)
        wanted = [*before.shown, *before.waiting, *before.tentative]
        reopen = None
        if env.inbound.item is not None:
            wanted.append(env.inbound.item)
        if cmd is not None and cmd.keyword in ("poll", "statement") and cmd.argument.isdigit():
            reopen = Item(cmd.keyword, int(cmd.argument))
            wanted.append(reopen)
        ctx = self.context(conn, before, wanted, now, count, unseen, with_vote=reopen)
        turn = advance(ctx, before, env.inbound, now, (cmd,))
        self._store(conn, env.channel, env.address, before, turn, stamp)
        return Outcome(False, turn.participant.id, tuple(turn.messages), turn)

    def context(
        self,
        conn: Conn,
        p: Participant,
        items: list[Item],
        now: datetime,
        answer_count: int = 0,
        unseen: frozenset[Item] = frozenset(),
        with_vote: Item | None = None,
        cache: dict[tuple[str, int], Any] | None = None,
    ) -> Context:
        views = agenda_views.load(
            conn,
            p,
            items,
            now,
            tr=self.tr,
            dialogues=self.dialogues,
            with_vote=with_vote,
            cache=cache,
        )
        candidates: tuple[int, ...] = ()
        if p.dialogue in self.deliberating():
            candidates = tuple(statements.candidates(conn, p.dialogue, p.id, MAX_ASKED))
            views.update(
                agenda_views.load(
                    conn, p, [Item("statement", s) for s in candidates], now,
                    tr=self.tr, dialogues=self.dialogues,
                )
            )  # fmt: skip
        return Context(
            self.tr,
            self.flows,
            self.versions,
            self.dialogues,
            self.default_dialogue,
            answer_count,
            views,
            unseen,
            candidates,
        )

    def deliberating(self) -> frozenset[str]:
        """Dialogues whose flows have a `statements` step (their turns need candidates)."""
        if self._deliberating is None:
            found = set()
            for code, d in self.dialogues.items():
                flow_id: str | None = d.start_flow
                seen: set[str] = set()
                while flow_id and flow_id in self.flows and flow_id not in seen:
                    seen.add(flow_id)
                    flow = self.flows[flow_id]
                    if any(s.agenda((1,)) for s in flow.steps):
                        found.add(code)
                    flow_id = flow.next
            self._deliberating = frozenset(found)
        return self._deliberating

    def _closed(self, env: Envelope) -> tuple[Message, ...]:
        lang = self.tr.pick(None, env.inbound.lang_hint, self.default_language)
        return (Message(self.tr(lang, "question-closed")),)

    # --- turns Baraza starts ---------------------------------------------------------------

    def agenda_turn(self, conn: Conn, pid: str, event: Inbound) -> Turn | None:
        """A `deliver` or `wake` turn for one participant (None if they are gone)."""
        return self.agenda_turns(conn, [pid], event).get(pid)

    def agenda_turns(self, conn: Conn, ids: list[str], event: Inbound) -> dict[str, Turn]:
        """`agenda_turn` for a batch: the participants read and locked in one statement,
        their addresses in one, the items they see read once for all of them."""
        people = participants.get_many(conn, ids, lock=True)
        found = participants.addresses_of(conn, list(people))
        cache: dict[tuple[str, int], Any] = {}
        turns: dict[str, Turn] = {}
        for pid, before in people.items():
            now = self.clock()
            wanted = [*before.shown, *before.waiting, *before.tentative]
            if event.item is not None:
                wanted.append(event.item)
            context = self.context(conn, before, wanted, now, cache=cache)
            turn = advance(context, before, event, now)
            if pid not in found:  # no way to reach them: keep nothing waiting for them
                turn.messages.clear()
            channel, address = found.get(pid, ("", ""))
            self._store(conn, channel, address, before, turn, now.isoformat())
            turns[pid] = turn
        return turns

    def deliver_batch(self, conn: Conn, broadcast_id: int) -> bool:
        """Deliver a broadcast to its next batch of participants; True when it is done."""
        b = broadcasts.locked(conn, broadcast_id)
        if b is None:
            return True
        item = Item.parse(b.item)
        ids = broadcasts.next_members(conn, b, BATCH)
        reached = 0
        if item is not None:
            event = Inbound(kind="deliver", item=item, urgent=b.urgent)
            turns = self.agenda_turns(conn, ids, event)
            reached += sum(1 for turn in turns.values() if turn.changed)
        elif b.item.startswith("round:"):  # statements each person has not voted on
            count = int(b.item.removeprefix("round:"))
            for pid in ids:
                changed = False
                for sid in statements.candidates(conn, b.dialogue, pid, count):
                    event = Inbound(kind="deliver", item=Item("statement", sid), urgent=b.urgent)
                    turn = self.agenda_turn(conn, pid, event)
                    changed |= turn is not None and turn.changed
                reached += changed
        if ids:
            broadcasts.advance(conn, b.id, ids[-1], reached)
        if len(ids) < BATCH:
            broadcasts.finish(conn, b.id, self.clock().isoformat())
            if item is not None and item.kind in ("poll", "prompt"):
                prompts.mark_sent(conn, item.id, b.reached + reached, self.clock().isoformat())
            return True
        return False

    async def dispatch(self) -> int:
        """Deliver every unfinished broadcast, a batch per transaction (so turns of people
        writing meanwhile are not held up); returns how many broadcasts finished."""
        done = 0
        for b in await self.db.write(broadcasts.unfinished):
            while not await self.db.write(partial(self.deliver_batch, broadcast_id=b.id)):
                self.doorbell.ring()
            done += 1
        if done:
            self.doorbell.ring()
        return done

    async def dispatch_started(self) -> None:
        """After a facilitator's /send: the first batch of each unfinished broadcast now
        (all of a small dialogue's), the rest in the background. The facilitator's turn
        (and on Telegram the updates polled with it: people writing meanwhile) then waits
        for one batch, not for the whole broadcast to be queued."""
        rest = False
        for b in await self.db.write(broadcasts.unfinished):
            rest |= not await self.db.write(partial(self.deliver_batch, broadcast_id=b.id))
        self.doorbell.ring()
        if rest and (self._behind is None or self._behind.done()):
            self._behind = asyncio.create_task(self._dispatch_rest(), name="dispatch")

    async def _dispatch_rest(self) -> None:
        try:
            await self.dispatch()
        except Exception:  # the scheduler delivers what is left at its next tick
            log.exception("delivering a broadcast failed; the scheduler takes it up again")

    async def wake_due(self) -> int:
        """`wake` turns for participants whose agenda waits for them to be at rest."""
        total = 0
        while True:

            def job(conn: Conn) -> int:
                ids = participants.due_to_wake(conn, self.clock().isoformat(), BATCH)
                self.agenda_turns(conn, ids, Inbound(kind="wake"))
                return len(ids)

            count = await self.db.write(job)
            total += count
            if count < BATCH:
                break
        if total:
            self.doorbell.ring()
        return total

    # --- storing ---------------------------------------------------------------------------

    @staticmethod
    def _store(
        conn: Conn,
        channel: str,
        address: str,
        before: Participant,
        turn: Turn,
        now: str,
    ) -> None:
        p = turn.participant
        if turn.erase:
            participants.erase(conn, p.id)
            outbox.enqueue(conn, None, channel, address, turn.messages, now)
            return
        if not turn.changed:
            return
        participants.save(conn, before, p, now, turn.wake_at)
        if turn.runs:
            # A run's row is written when it starts and when it ends: its step moving on is
            # in the participant's state, written anyway (the dashboard's "waiting at" reads
            # it there). A step's row on every turn cost 1.06x on bench 1.
            going = before.run.run_no if before.run is not None else None
            runs = [r for r in turn.runs if r.status != "active" or r.run_no != going]
            participants.save_runs(conn, p.id, p.dialogue, runs, now)
        if turn.answers:
            participants.save_answers(
                conn, p.id, p.dialogue, turn.answers, p.language, channel, now
            )
        answered = [r for r in turn.responses if r.kind != "statement"]
        if answered:
            prompts.save_responses(conn, p.id, p.dialogue, answered, p.language, channel, now)
        stances = [r for r in turn.responses if r.kind == "statement"]
        if stances:
            statements.save_votes(conn, p.id, p.dialogue, stances, channel, now)
        for proposal in turn.proposals:
            statements.create(
                conn, p.dialogue, {proposal.lang: proposal.text}, proposal.lang,
                "participant", "pending", now, author=p.id,
            )  # fmt: skip
        if turn.messages and address:
            priority = outbox.BULK if turn.bulk else outbox.REPLY
            outbox.enqueue(
                conn, p.id, channel, address, turn.messages, now, priority, dialogue=p.dialogue
            )


@quick_init
@dataclass(frozen=True)
class FirstReads:
    """A turn's first reads, sent (their answers read by calling them)."""

    now: datetime
    known_facilitator: bool
    """A facilitator set in FACILITATORS (nothing asked)."""
    claimed: Callable[[], bool] | None
    found: Callable[[], tuple[Participant | None, bool | None]]
    """The participant, and whether they facilitate (None: not asked, or no row)."""


class _TurnJob:
    """A person's turn as a writer job (`storage.db.Prefetching`): in a PostgreSQL batch
    its first reads go ahead with the other turns', one round trip for the batch. In
    SQLite's, the rows it appends wait to be written with the other turns'
    (`storage.grouped`); it can be run again (it reads everything it needs anew)."""

    __slots__ = ("_reads", "env", "key", "runner")
    groups_rows = True

    def __init__(self, runner: TurnRunner, env: Envelope) -> None:
        self.runner = runner
        self.env = env
        self.key = (env.channel, env.address)
        self._reads: tuple[Conn, FirstReads] | None = None

    def start(self, conn: Conn) -> None:
        self._reads = (conn, self.runner.first_reads(conn, self.env, self.runner.clock()))

    def __call__(self, conn: Conn) -> Outcome:
        started, self._reads = self._reads, None
        reads = started[1] if started is not None and started[0] is conn else None
        return self.runner.turn(conn, self.env, reads)

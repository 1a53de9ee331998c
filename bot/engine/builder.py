"""The mutable builder of one Turn, shared by the moves in `flow_moves`, `agenda_moves` and
`keyword_moves`. It lives only for the duration of `advance`."""

from __future__ import annotations

from datetime import datetime

from bot.dialogues import Dialogue
from bot.engine.context import Context
from bot.engine.io import Fact, Message, Question, Results, RunRecord, RunStatus, Turn
from bot.engine.state import Item, Participant, RunState
from bot.flows import Flow


def joined(prefix: str, text: str) -> str:
    return f"{prefix}\n\n{text}" if prefix and text else prefix or text


class Builder:
    def __init__(self, ctx: Context, p: Participant, now: datetime) -> None:
        self.ctx = ctx
        self.p = p
        self.now = now
        self.out = Turn(p)
        self.marker: Item | None = None
        """The agenda item the messages said now belong to (bulk turns)."""
        self.shown_now: list[Item] = []
        """Items shown or told in this turn (tentative when the turn is bulk)."""
        self.seen_before = frozenset(p.shown).difference(p.tentative)
        """Items the person had seen before this turn: a bulk message asking one again
        (after news) may be taken back, the question stays the one they saw."""

    # --- basics -------------------------------------------------------------------------

    @property
    def dialogue(self) -> Dialogue:
        return (
            self.ctx.dialogues.get(self.p.dialogue) or self.ctx.dialogues[self.ctx.default_dialogue]
        )

    def t(self, msg_id: str, **args: str | int) -> str:
        return self.ctx.tr(self.p.language, msg_id, **args)

    def say(
        self,
        text: str,
        question: Question | None = None,
        *,
        force: bool = False,
        results: Results | None = None,
    ) -> None:
        self.out.messages.append(
            Message(text, question, force=force, results=results, item=self.marker)
        )

    def fact(self, fact: Fact) -> None:
        self.out.facts.append(fact)

    def record_run(self, run: RunState, status: RunStatus) -> None:
        self.out.runs.append(RunRecord(run.run_no, run.flow_id, run.version, run.step_id, status))

    def flow_of(self, run: RunState) -> Flow:
        return self.ctx.versions.get(run.version) or self.ctx.flows[run.flow_id]

    def next_seq(self) -> int:
        """Every new asking draws fresh buttons: taps on any earlier ones are 'closed'."""
        self.p = self.p.with_(seq=self.p.seq + 1)
        return self.p.seq

    @property
    def at_rest(self) -> bool:
        seen = self.p.last_seen
        return seen is None or self.now - seen >= self.ctx.at_rest

    # --- implemented by the moves -----------------------------------------------------

    def ask_step(self, prefix: str = "", *, again: bool = False) -> None:
        raise NotImplementedError

    def answer_step(self, text: str, picks: tuple[int, ...] | None, seq: int | None) -> None:
        raise NotImplementedError

    def start_flow(self, flow_id: str) -> None:
        raise NotImplementedError

    def resume_flow(self) -> None:
        raise NotImplementedError

    def flow_waits(self) -> bool:
        raise NotImplementedError

    def next_up(self, prefix: str = "") -> None:
        raise NotImplementedError

    def reask(self, prefix: str = "") -> None:
        raise NotImplementedError

    def live_current(self) -> Item | None:
        raise NotImplementedError

    def top_live(self) -> Item | None:
        raise NotImplementedError

    def clear_agenda(self) -> None:
        raise NotImplementedError

    def ask_language(self, prefix: str = "") -> None:
        raise NotImplementedError

    def skip(self, item: Item | None = None) -> None:
        raise NotImplementedError

    def reopen_poll(self, number: str, kind: str = "poll") -> None:
        raise NotImplementedError

    def propose(self, text: str) -> None:
        raise NotImplementedError

"""The pure turn: (context, participant, inbound, now) -> Turn. No I/O, no clock.

Order of business for something the person did: the channel's language hint; bulk
messages they never received are taken back (`undo_unseen`); someone who stopped hears
only START, MYDATA and DELETE; STOP wins over everything; a pending DELETE confirmation;
other keywords (only when valid: "Join us" is an answer); a button; the LANG menu; and
finally the answer to the one open question: the current prompt or poll, else the flow's
step. Turns Baraza starts itself are `deliver` (a broadcast) and `wake` (show what waits).
"""

from __future__ import annotations

from datetime import datetime

from bot.engine import keywords, replies
from bot.engine.agenda_moves import AgendaMoves
from bot.engine.context import AT_REST, Context
from bot.engine.flow_moves import FlowMoves
from bot.engine.io import Inbound, Refused, Turn
from bot.engine.keyword_moves import KeywordMoves
from bot.engine.state import Participant

__all__ = ["AT_REST", "Context", "advance"]


class _Engine(FlowMoves, AgendaMoves, KeywordMoves):
    def button(self, inbound: Inbound) -> None:
        if inbound.item is not None:
            if inbound.skip:
                self.skip(inbound.item)
            else:
                self.tap_vote(inbound.item, inbound.picks)
        elif self.p.pending == "language":
            self.answer_language("", inbound.picks, inbound.seq)
        elif self.live_current() is None and self.p.run is not None:
            self.answer_step("", inbound.picks, inbound.seq)
        else:
            self.fact(Refused("closed"))
            self.say(self.t("question-closed"))

    def reply(self, text: str) -> None:
        """Typed text that is not a keyword: the answer to the one open question."""
        last = self.p.current
        if last is not None and not self.live(last):
            # meant for a poll or prompt that closed since it was shown: said so, not
            # taken as the answer to anything else
            self.drop(last)
            self.fact(Refused("closed"))
            self.next_up(self.t("poll-closed" if last.kind == "poll" else "question-closed"))
            return
        current = self.live_current()
        greeting = replies.norm(text) in self.ctx.tr.lexicon.greetings
        if greeting and (current is not None or self.p.run is not None):
            self.reask(self.t("greeting"))  # a hello, not an answer: the question again
        elif current is not None:
            self.answer_item(current, text)
        elif self.flow_waits():
            self.next_up()
        elif self.p.run is not None:
            if self.p.run.asked:
                self.answer_step(text, None, None)
            else:  # the step was never shown (what came before it closed meanwhile)
                self.ask_step()
        elif not self.p.consented:  # a first message, or after declining: offer the dialogue
            self.start_flow(self.dialogue.start_flow)
            self.next_up()
        else:
            self.say(self.t("all-done"))

    def result(self) -> Turn:
        p = self.p
        if self.out.bulk:
            fresh = (i for i in self.shown_now if i not in self.seen_before)
            p = p.with_(tentative=(*p.tentative, *fresh))
        if p.waiting and not p.stopped and self.top_live() is None:
            self.out.wake_at = (p.last_seen or self.now) + self.ctx.at_rest
        self.out.participant = p
        return self.out


def advance(
    ctx: Context,
    p: Participant,
    inbound: Inbound,
    now: datetime,
    parsed: tuple[keywords.Command | None] | None = None,
) -> Turn:
    """Apply one inbound to a participant at `now` (the caller's clock). `parsed`: the
    text's keyword as the caller parsed it already (`keywords.parse`), in a 1-tuple."""
    if inbound.lang_hint and not p.language_explicit:
        hinted = ctx.tr.pick(None, inbound.lang_hint, p.language)
        if hinted != p.language:
            p = p.with_(language=hinted)
    if p.dialogue not in ctx.dialogues:
        p = p.with_(dialogue=ctx.default_dialogue)
    if inbound.from_person:
        p = p.with_(last_seen=now)
    e = _Engine(ctx, p, now)
    if inbound.kind == "deliver":
        assert inbound.item is not None
        e.deliver(inbound.item, inbound.urgent)
        return e.result()
    if inbound.kind == "wake":
        e.wake()
        return e.result()
    e.undo_unseen()
    if parsed is not None:
        cmd = parsed[0]
    else:
        cmd = keywords.parse(inbound.text, ctx.tr.lexicon) if inbound.kind == "text" else None
    if cmd is not None and not e.valid(cmd):
        cmd = None
    if p.stopped:
        if inbound.kind == "start":
            e.join(inbound.code)
        elif inbound.kind in ("open", "button"):
            e.out.changed = False
        else:
            e.stopped_turn(cmd, inbound.text)
    elif cmd is not None and cmd.keyword == "stop":
        e.stop()
    elif p.pending == "delete":
        e.confirm_delete(cmd, inbound.text if inbound.kind == "text" else "")
    elif cmd is not None:
        e.keyword(cmd)
    elif inbound.kind == "button":
        e.button(inbound)
    elif p.pending == "language":
        e.answer_language(inbound.text, None, None)
    elif p.pending == "idea":
        e.propose(inbound.text)
    elif inbound.kind in ("start", "open"):
        if inbound.code is not None and inbound.code not in ctx.dialogues:
            # the code they typed is not repeated back (nothing typed is kept before consent)
            e.say(e.t("unknown-dialogue"))
            if e.live_current() is not None or e.p.run is not None:
                e.reask()
        else:
            e.join(inbound.code)
    else:
        e.reply(inbound.text)
    return e.result()

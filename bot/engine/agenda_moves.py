"""The agenda: one open question at a time, whatever facilitators send.

- A reply answers the current question (the top of `shown`, else the flow's step); then
  `next_up` says what waits to be told (results, reminders), asks again a question that
  was interrupted, or shows the next waiting one; the flow resumes when nothing waits.
- A broadcast (`deliver`) joins `waiting` (news before the questions that wait). It is
  shown at once (`present`) only to someone with nothing open or at rest, or when urgent;
  otherwise it waits for their next answer, or for them to be at rest (`wake`). News
  reach someone at rest even while a question of theirs is open: told, then that
  question again.
- Items that closed leave the agenda quietly.
"""

from __future__ import annotations

from bot.engine import replies
from bot.engine.builder import Builder, joined
from bot.engine.io import (
    MAX_STATEMENT,
    Asks,
    InfoView,
    ItemView,
    Option,
    PollView,
    PromptView,
    Question,
    Recorded,
    Refused,
    Response,
    StatementView,
)
from bot.engine.state import Item

MAX_PROMPT_ANSWER = 1600
STANCES = (1, -1, 0)
"""A statement's options, in order: agree, disagree, pass (the votes stored)."""


class AgendaMoves(Builder):
    # --- what is open ---------------------------------------------------------------------

    def view(self, item: Item) -> ItemView | None:
        return self.ctx.items.get(item)

    def live(self, item: Item) -> bool:
        view = self.view(item)
        if isinstance(view, InfoView):
            return view.live
        return view is not None and view.open and view.eligible

    def top_live(self) -> Item | None:
        """The item shown last, if it is still open (nothing is changed: in turns Baraza
        starts itself, a closed item the person saw last must stay known as such)."""
        top = self.p.current
        return top if top is not None and self.live(top) else None

    def live_current(self) -> Item | None:
        """The current shown item, once items that closed meanwhile have left quietly
        (only in turns of the person, who is moving on)."""
        shown = tuple(i for i in self.p.shown if self.live(i))
        if shown != self.p.shown:
            self.p = self.p.with_(shown=shown)
        return self.p.current

    def clear_agenda(self) -> None:
        self.p = self.p.with_(shown=(), waiting=(), tentative=())

    def undo_unseen(self) -> None:
        """Items shown in bulk messages that were taken back before delivery go back to
        the front of `waiting`: the person never saw them."""
        if not self.p.tentative:
            return
        back = tuple(i for i in self.p.tentative if i in self.ctx.unseen)
        self.p = self.p.with_(
            shown=tuple(i for i in self.p.shown if i not in back),
            waiting=back + tuple(i for i in self.p.waiting if i not in back),
            tentative=(),
        )

    # --- showing ----------------------------------------------------------------------------

    def show(self, item: Item, prefix: str = "") -> None:
        """Ask a prompt or poll (which must be live)."""
        view = self.view(item)
        self.marker = item
        self.shown_now.append(item)
        lang = self.p.language
        if isinstance(view, PollView):
            labels = view.labels(lang)
            options = tuple(Option(str(i), label) for i, label in enumerate(labels))
            head = self.t("poll-head", id=view.id, question=view.question(lang))
            if view.vote is not None and view.vote < len(labels):
                head += "\n" + self.t("poll-your-vote", choice=labels[view.vote])
            question = Question(
                "choice",
                self.p.seq,
                options,
                hint=self.t("poll-hint", max=len(labels)),
                poll=view.id,
                asks=Asks("poll", str(view.id)),
                skip=item,
            )
            self.say(joined(prefix, head), question)
        elif isinstance(view, PromptView):
            head = self.t("prompt-head", id=view.id, question=view.question(lang))
            question = Question(
                "text",
                self.p.seq,
                hint=self.t("prompt-hint"),
                asks=Asks("prompt", str(view.id)),
                skip=item,
            )
            self.say(joined(prefix, head), question)
        elif isinstance(view, StatementView):
            text, translated = view.text(lang)
            head = self.t("statement-head", id=view.id, text=text)
            if not translated:
                head += "\n" + self.t("statement-untranslated", language=self.ctx.tr.name_of(lang))
            stances = self.stances(lang)
            if view.vote is not None and view.vote in STANCES:
                head += "\n" + self.t("statement-your-vote", choice=stances[STANCES.index(view.vote)])
            options = tuple(Option(str(v), s) for v, s in zip(STANCES, stances, strict=True))
            question = Question(
                "choice",
                self.p.seq,
                options,
                statement=view.id,
                asks=Asks("statement", str(view.id)),
                skip=item,
            )
            self.say(joined(prefix, head), question)

    def stances(self, lang: str) -> list[str]:
        """Agree, disagree, pass, as shown in `lang`."""
        return [self.ctx.tr(lang, f"statement-{s}") for s in ("agree", "disagree", "pass")]

    def tell(self, item: Item, prefix: str = "") -> None:
        """Say an information item (results, a reminder)."""
        view = self.view(item)
        assert isinstance(view, InfoView)
        self.marker = item
        self.shown_now.append(item)
        message = view.message(self.p.language)
        self.say(joined(prefix, message.text), results=message.results)

    def tell_waiting_infos(self, prefix: str) -> str:
        """Say the information items at the head of `waiting`; returns the prefix still to
        be said (empty once something was said)."""
        if not self.p.waiting or self.p.waiting[0].asks:
            return prefix  # nothing to tell (most turns)
        waiting = list(self.p.waiting)
        while waiting and not waiting[0].asks:
            item = waiting.pop(0)
            if self.live(item):
                self.tell(item, prefix)
                prefix = ""
        self.p = self.p.with_(waiting=tuple(waiting))
        return prefix

    def pop_waiting_question(self) -> Item | None:
        """The first live prompt or poll waiting (closed ones leave quietly); information
        items before it stay."""
        if not self.p.waiting:
            return None
        waiting = list(self.p.waiting)
        for i, item in enumerate(waiting):
            if not item.asks:
                continue
            if self.live(item):
                del waiting[i]
                self.p = self.p.with_(waiting=tuple(waiting))
                return item
        self.p = self.p.with_(waiting=tuple(w for w in waiting if not w.asks or self.live(w)))
        return None

    def reask(self, prefix: str = "") -> None:
        """Ask the current question again (after HELP, MYDATA, LANG, a refusal...)."""
        current = self.live_current()
        if self.p.pending == "language":
            self.ask_language(prefix)
        elif self.p.pending == "idea":
            question = Question("text", self.p.seq, asks=Asks("idea"))
            self.say(joined(prefix, self.t("idea-ask", max=MAX_STATEMENT)), question)
        elif current is not None:
            self.show(current, prefix)
        elif self.flow_waits():
            self.next_up(prefix)
        elif self.p.run is not None:
            self.ask_step(prefix, again=True)
        else:
            self.say(joined(prefix, self.t("all-done")))

    def next_up(self, prefix: str = "") -> None:
        """After the current question was answered or passed: what to tell, then the
        next question (an interrupted one, else the next waiting, else the flow's step)."""
        prefix = self.tell_waiting_infos(prefix)
        current = self.live_current()
        if current is not None:
            self.show(current, prefix)
        elif (item := self.pop_waiting_question()) is not None:
            self.p = self.p.with_(shown=(item,))
            self.show(item, prefix)
        elif self.flow_waits():
            if prefix:
                self.say(prefix)
            self.resume_flow()
            self.next_up()
        elif self.p.run is not None:
            self.ask_step(prefix, again=True)
        elif prefix:
            self.say(prefix)

    def present(self) -> None:
        """Show what waits now, interrupting the open question (asked again after)."""
        told = bool(self.p.waiting) and not self.p.waiting[0].asks
        self.tell_waiting_infos("")
        item = self.pop_waiting_question()
        if item is not None:
            self.p = self.p.with_(shown=(*self.p.shown, item))
            self.show(item)
        elif told and (self.top_live() is not None or self.p.run is not None):
            # the open question stays the last thing they see
            self.reask(self.t("back-to-question"))

    # --- broadcasts and wake-ups --------------------------------------------------------------

    def deliver(self, item: Item, urgent: bool) -> None:
        if self.p.stopped or not self.p.consented or not self.live(item):
            self.out.changed = False
            return
        if item in self.p.shown or item in self.p.waiting:
            self.out.changed = False  # delivered already (a dispatch that ran twice)
            return
        waiting = self.p.waiting
        if urgent:
            waiting = (item, *waiting)
        elif item.asks:
            waiting = (*waiting, item)
        else:  # news go before the questions that wait: they need no answer
            news = next((i for i, w in enumerate(waiting) if w.asks), len(waiting))
            waiting = (*waiting[:news], item, *waiting[news:])
        self.p = self.p.with_(waiting=waiting)
        self.out.bulk = True
        if urgent and self.p.pending is None:
            self.present()
        else:
            self.wake()

    def wake(self) -> None:
        """Show what waits if the person has nothing open or is at rest."""
        self.out.bulk = True
        if self.p.stopped or not self.p.waiting:
            return
        if self.p.pending is not None:
            if not self.at_rest:
                return
            self.p = self.p.with_(pending=None)  # an unanswered confirmation lapses
        if self.top_live() is not None:  # a prompt, poll or statement to answer first
            if self.at_rest and not self.p.waiting[0].asks:
                # news (results, a reminder) need no answer: told, then the open question
                # again, so it stays the last thing they see
                told = len(self.shown_now)
                self.tell_waiting_infos("")
                if len(self.shown_now) > told:
                    self.reask(self.t("back-to-question"))
            return
        if self.p.run is None or self.at_rest:
            self.present()

    # --- replies to prompts and polls ------------------------------------------------------------

    def answer_item(self, item: Item, text: str) -> None:
        """Typed text answering the current prompt, poll or statement."""
        view = self.view(item)
        if isinstance(view, StatementView):
            labels = [
                [self.stances(lang)[i] for lang in self.ctx.tr.languages] for i in range(3)
            ]
            idx = replies.choice(text, labels, self.ctx.tr.lexicon)
            if idx is None:
                self.fact(Refused("invalid"))
                self.show(item, self.t("reprompt-choice", max=3))
                return
            self.take_stance(view, idx, text)
        elif isinstance(view, PollView):
            idx = replies.choice(text, view.all_labels(), self.ctx.tr.lexicon)
            if idx is None:
                self.fact(Refused("invalid"))
                self.show(item, self.t("reprompt-choice", max=len(view.labels(self.p.language))))
                return
            self.vote(view, idx, text)
        elif isinstance(view, PromptView):
            answer = text.strip()
            if not replies.has_content(answer):
                self.fact(Refused("invalid"))
                self.show(item, self.t("reprompt-text"))
            elif len(answer) > MAX_PROMPT_ANSWER:
                self.fact(Refused("invalid"))
                self.show(
                    item,
                    self.t("reprompt-too-long", max=MAX_PROMPT_ANSWER, length=len(answer)),
                )
            else:
                self.out.responses.append(Response(view.id, "prompt", answer, answer))
                self.fact(Recorded(Asks("prompt", str(view.id))))
                self.drop(item)
                self.next_up(self.t("prompt-thanks"))

    def drop(self, item: Item) -> None:
        self.p = self.p.with_(
            shown=tuple(i for i in self.p.shown if i != item),
            waiting=tuple(i for i in self.p.waiting if i != item),
        )

    def vote(self, view: PollView, idx: int, raw: str) -> None:
        labels = view.labels(self.p.language)
        item = Item("poll", view.id)
        if not 0 <= idx < len(labels):
            if self.p.current == item:
                self.fact(Refused("invalid"))
                self.show(item, self.t("reprompt-choice", max=len(labels)))
            else:  # a button that is not this poll's (forged or garbled)
                self.fact(Refused("closed"))
                self.say(self.t("question-closed"))
            return
        self.out.responses.append(Response(view.id, "poll", str(idx), raw or labels[idx]))
        self.fact(Recorded(Asks("poll", str(view.id)), (labels[idx],)))
        was_current = self.p.current == item
        self.drop(item)
        thanks = self.t("vote-thanks", choice=labels[idx], id=view.id)
        if was_current:
            self.next_up(thanks)
        else:
            self.say(thanks)  # a button on an earlier message: the open question stays

    def take_stance(self, view: StatementView, idx: int, raw: str) -> None:
        """Agree (0), disagree (1) or pass (2) on a statement; changeable while it is open."""
        item = Item("statement", view.id)
        if not 0 <= idx < len(STANCES):
            self.fact(Refused("closed"))
            self.say(self.t("question-closed"))
            return
        label = self.stances(self.p.language)[idx]
        self.out.responses.append(Response(view.id, "statement", str(STANCES[idx]), raw or label))
        self.fact(Recorded(Asks("statement", str(view.id)), (label,)))
        was_current = self.p.current == item
        self.drop(item)
        thanks = self.t("statement-thanks", choice=label, id=view.id)
        if was_current:
            self.next_up(thanks)
        else:
            self.say(thanks)

    def tap_vote(self, item: Item, picks: tuple[int, ...]) -> None:
        """A vote button (a poll's, or a statement's agree/disagree/pass): counts only
        while open, from someone in the audience who has consented; it may change the
        vote while open."""
        view = self.view(item)
        pick = picks[0] if len(picks) == 1 else -1
        if (
            isinstance(view, StatementView)
            and view.eligible
            and self.p.consented
            and view.open
        ):
            self.take_stance(view, pick, "")
            return
        if not isinstance(view, PollView) or not view.eligible or not self.p.consented:
            self.fact(Refused("closed"))
            self.say(self.t("question-closed"))
            return
        if not view.open:
            self.fact(Refused("closed"))
            was_current = self.p.current == item
            self.drop(item)
            if was_current:  # what they had open is gone: the next question follows
                self.next_up(self.t("poll-closed"))
            else:
                self.say(self.t("poll-closed"))
            return
        self.vote(view, picks[0] if len(picks) == 1 else -1, "")

    def skip(self, item: Item | None = None) -> None:
        """SKIP (or a Skip button on `item`): pass the current prompt or poll."""
        current = self.live_current()
        if current is None or (item is not None and item != current):
            if item is not None:
                self.fact(Refused("closed"))
                self.say(self.t("question-closed"))
            elif self.p.run is not None:
                self.ask_step(self.t("skip-flow"), again=True)
            else:
                self.say(self.t("all-done"))
            return
        self.fact(Refused("skipped"))
        self.drop(current)
        self.next_up(self.t("skipped"))

    def reopen_poll(self, number: str, kind: str = "poll") -> None:
        """POLL n (or STATEMENT n): ask it again (to vote, or change a vote, by SMS)."""
        item = Item("statement" if kind == "statement" else "poll", int(number))
        view = self.view(item)
        wanted = StatementView if item.kind == "statement" else PollView
        if not isinstance(view, wanted) or not view.eligible or not self.p.consented:
            self.reask(self.t(f"{item.kind}-unknown", id=number))
            return
        if not view.open:
            self.drop(item)
            self.reask(self.t("poll-closed"))
            return
        self.drop(item)
        self.p = self.p.with_(shown=(*self.p.shown, item))
        self.show(item)

"""The pure turn: (context, participant, inbound, now) -> Turn. No I/O, no clock.

Order of business: the channel's language hint, a stopped participant (only START is
heard), a pending confirmation (DELETE, LANG), global keywords, joining, and finally the
answer to the current step. Message and end steps are passed through until the next
question; a flow that ends hands over to its `next` flow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.dialogues import Dialogue
from bot.engine import keywords, replies
from bot.engine.io import (
    Answer,
    Inbound,
    Message,
    Option,
    Prompt,
    Question,
    Response,
    RunRecord,
    RunStatus,
    Turn,
)
from bot.engine.state import Participant, RunState
from bot.engine.steps import Accepted, Asking, kinds
from bot.flows import Flow, Step
from bot.i18n import Translator, pick_language

MAX_MISSES_BEFORE_HELP = 3
_KINDS = kinds()


@dataclass(frozen=True)
class Context:
    tr: Translator
    flows: Mapping[str, Flow]
    """The current version of each flow, by id: new runs start on these."""
    versions: Mapping[str, Flow]
    """Every version a run may be pinned to, by version hash."""
    dialogues: Mapping[str, Dialogue]
    default_dialogue: str
    """What a participant joins without a code."""
    answer_count: int = 0
    prompts: Mapping[int, Prompt] = field(default_factory=dict)
    """The prompts this turn may touch (the participant's pending one, a tapped poll)."""


class _Turn:
    """Builds one Turn; mutable only for the duration of `advance`."""

    def __init__(self, ctx: Context, p: Participant) -> None:
        self.ctx = ctx
        self.p = p
        self.out = Turn(p)

    @property
    def dialogue(self) -> Dialogue:
        return (
            self.ctx.dialogues.get(self.p.dialogue) or self.ctx.dialogues[self.ctx.default_dialogue]
        )

    def t(self, msg_id: str, **args: str | int) -> str:
        return self.ctx.tr(self.p.language, msg_id, **args)

    def say(self, text: str, question: Question | None = None, force: bool = False) -> None:
        self.out.messages.append(Message(text, question, force))

    def record_run(self, run: RunState, status: RunStatus) -> None:
        self.out.runs.append(RunRecord(run.run_no, run.flow_id, run.version, run.step_id, status))

    def flow_of(self, run: RunState) -> Flow:
        return self.ctx.versions.get(run.version) or self.ctx.flows[run.flow_id]

    # --- moving through flows -------------------------------------------------------

    def start_flow(self, flow_id: str) -> None:
        flow = self.ctx.flows[flow_id]
        run_no = self.p.runs_started + 1
        run = RunState(run_no, flow.id, flow.version, flow.steps[0].id)
        self.p = self.p.with_(run=run, runs_started=run_no)
        self.enter(flow, flow.steps[0].id)

    def enter(self, flow: Flow, step_id: str | None) -> None:
        """Walk from `step_id`, saying messages, until a question is asked or the flow ends."""
        assert self.p.run is not None
        while step_id is not None:
            step = flow.step(step_id)
            if not self.applies(step):
                step_id = self.following(flow, step, None)
                continue
            if step.type in ("message", "end"):
                self.say(self.step_text(flow, step))
                step_id = None if step.type == "end" else self.following(flow, step, None)
                continue
            run = RunState(self.p.run.run_no, flow.id, flow.version, step.id)
            self.p = self.p.with_(run=run)
            self.record_run(run, "active")
            self.ask(flow, step)
            return
        self.finish(flow)

    def finish(self, flow: Flow) -> None:
        assert self.p.run is not None
        self.record_run(self.p.run, "completed")
        self.p = self.p.with_(run=None)
        if flow.next and flow.next in self.ctx.flows:
            self.start_flow(flow.next)

    def applies(self, step: Step) -> bool:
        return all(self.p.profile.get(k.split(".", 1)[1]) in v for k, v in step.when.items())

    @staticmethod
    def following(flow: Flow, step: Step, value: str | None) -> str | None:
        if value is not None and value in step.goto:
            return step.goto[value]
        if step.type == "end":
            return None
        if step.next:
            return step.next
        i = flow.index(step.id) + 1
        return flow.steps[i].id if i < len(flow.steps) else None

    def step_text(self, flow: Flow, step: Step) -> str:
        return self.t(f"{flow.id}-{step.id}", dialogue=self.dialogue.title_in(self.p.language))

    def asking(self, flow: Flow, step: Step) -> Asking:
        return Asking(self.ctx.tr, flow, step, self.p.language, self.p.seq)

    def ask(self, flow: Flow, step: Step, prefix: str = "") -> None:
        """Every asking draws fresh buttons: taps on any earlier ones are 'closed'."""
        self.p = self.p.with_(seq=self.p.seq + 1)
        question = _KINDS[step.type][0](self.asking(flow, step))
        text = self.step_text(flow, step)
        self.say(f"{prefix}\n\n{text}" if prefix else text, question)

    def ask_current(self, prefix: str = "") -> None:
        """Ask again where the participant is (after HELP, LANG, START...)."""
        if self.p.pending == "language":
            self.ask_language(prefix)
        elif self.p.run is None:
            self.say(prefix + ("\n\n" if prefix else "") + self.t("all-done"))
        else:
            flow = self.flow_of(self.p.run)
            self.ask(flow, flow.step(self.p.run.step_id), prefix)

    # --- answers ----------------------------------------------------------------------

    def answer(self, inbound: Inbound) -> None:
        run = self.p.run
        assert run is not None
        flow = self.flow_of(run)
        step = flow.step(run.step_id)
        if inbound.kind == "button" and inbound.seq != self.p.seq:
            self.say(self.t("question-closed"))
            return
        result = _KINDS[step.type][1](self.asking(flow, step), inbound)
        if not isinstance(result, Accepted):
            misses = run.misses + 1
            self.p = self.p.with_(
                run=RunState(run.run_no, run.flow_id, run.version, run.step_id, misses)
            )
            prefix = self.t(result.reprompt, **result.args)
            if misses >= MAX_MISSES_BEFORE_HELP:
                prefix += " " + self.t("offer-help")
            self.ask(flow, step, prefix)
            return
        self.apply(flow, step, result)

    def apply(self, flow: Flow, step: Step, result: Accepted) -> None:
        run = self.p.run
        assert run is not None
        if step.type == "consent":
            if result.value == "no":
                self.say(self.t(f"{flow.id}-{step.id}-declined"))
                self.record_run(run, "declined")
                self.p = self.p.with_(run=None, consented=False)
                return
            self.p = self.p.with_(consented=True)
        if step.save == "language":
            self.p = self.p.with_(language=result.value, language_explicit=True)
        elif step.save and self.p.consented:
            field_name = step.save.split(".", 1)[1]
            self.p = self.p.with_(profile={**self.p.profile, field_name: result.value})
        if self.p.consented:
            self.out.answers.append(
                Answer(run.run_no, flow.id, flow.version, step.id, result.value, result.raw)
            )
        self.enter(flow, self.following(flow, step, result.value))

    # --- keywords ---------------------------------------------------------------------

    def keyword(self, cmd: keywords.Command, inbound: Inbound) -> None:
        kw = cmd.keyword
        if kw == "stop":
            if self.p.run is not None:
                self.record_run(self.p.run, "active")
            self.p = self.p.with_(stopped=True, pending=None)
            self.say(self.t("stopped"), force=True)
        elif kw == "start":
            self.join(None)
        elif kw == "join":
            self.join(cmd.argument or None)
        elif kw == "help":
            self.ask_current(self.t("help"))
        elif kw == "lang":
            if cmd.argument in self.ctx.tr.languages:
                self.set_language(cmd.argument)
            else:
                self.p = self.p.with_(pending="language")
                self.ask_language()
        elif kw == "mydata":
            self.ask_current(self.my_data())
        elif kw == "delete":
            self.p = self.p.with_(pending="delete")
            self.say(self.t("delete-confirm"))

    def my_data(self) -> str:
        profile = ", ".join(f"{k}: {v}" for k, v in sorted(self.p.profile.items())) or "-"
        return self.t(
            "mydata",
            id=self.p.id,
            language=self.p.language,
            consent=self.t("yes" if self.p.consented else "no"),
            profile=profile,
            answers=self.ctx.answer_count,
        )

    def ask_language(self, prefix: str = "") -> None:
        langs = self.ctx.tr.languages
        options = tuple(Option(lang, self.t(f"language-{lang}")) for lang in langs)
        text = self.t("choose-language")
        self.p = self.p.with_(seq=self.p.seq + 1)
        self.say(
            f"{prefix}\n\n{text}" if prefix else text, Question("language", self.p.seq, options)
        )

    def set_language(self, lang: str) -> None:
        self.p = self.p.with_(language=lang, language_explicit=True, pending=None)
        self.ask_current(self.t("language-set"))

    def pending_language(self, inbound: Inbound) -> None:
        langs = self.ctx.tr.languages
        if inbound.kind == "button":
            if inbound.seq != self.p.seq:
                self.say(self.t("question-closed"))
                return
            idx = inbound.picks[0] if len(inbound.picks) == 1 else None
        else:
            labels = [
                [lang] + [self.ctx.tr(x, f"language-{lang}") for x in langs] for lang in langs
            ]
            idx = replies.choice(inbound.text, labels)
        if idx is None or not 0 <= idx < len(langs):
            self.ask_language(self.t("reprompt-choice", max=len(langs)))
            return
        self.set_language(langs[idx])

    def pending_delete(self, inbound: Inbound) -> None:
        self.p = self.p.with_(pending=None)
        confirmed = replies.yes_no(inbound.text) is True or (
            (kw := keywords.parse(inbound.text)) is not None and kw.keyword == "delete"
        )
        if confirmed:
            self.out.erase = True
            self.say(self.t("deleted"), force=True)
        else:
            self.ask_current(self.t("delete-cancelled"))

    def join(self, code: str | None) -> None:
        if code is not None and code not in self.ctx.dialogues:
            self.say(self.t("unknown-dialogue", code=code))
            if self.p.run is not None:
                self.ask_current()
            return
        was_stopped = self.p.stopped
        self.p = self.p.with_(stopped=False, pending=None)
        if code is not None and code != self.p.dialogue:
            # joining another dialogue: its own flows, from the start
            if self.p.run is not None:
                self.record_run(self.p.run, "left")
            self.p = self.p.with_(dialogue=code, run=None, prompt=None)
            self.start_flow(self.dialogue.start_flow)
        elif self.p.run is not None:
            self.ask_current(self.t("welcome-back"))
        elif self.p.runs_started == 0 or not self.p.consented or was_stopped:
            self.start_flow(self.dialogue.start_flow)
        else:
            self.say(self.t("all-done"))

    # --- facilitators' prompts and polls -------------------------------------------

    def poll_question(self, prompt: Prompt, prefix: str = "") -> None:
        options = tuple(Option(str(i), label) for i, label in enumerate(prompt.options))
        question = Question("choice", self.p.seq, options, poll=prompt.id)
        text = f"{prefix}\n\n{prompt.question}" if prefix else prompt.question
        self.say(text, question)

    def reply_to_prompt(self, prompt: Prompt | None, inbound: Inbound) -> None:
        """The participant's reply to a pending prompt or poll; then the flow resumes."""
        if prompt is None or prompt.closed:
            self.p = self.p.with_(prompt=None)
            if prompt is not None and prompt.kind == "poll":
                self.ask_current(self.t("poll-closed"))
            elif self.p.run is not None:
                self.answer(inbound)
            else:
                self.say(self.t("all-done"))
            return
        if prompt.kind == "poll":
            idx = replies.choice(inbound.text, prompt.labels) if inbound.kind == "text" else None
            if idx is None:
                self.poll_question(prompt, self.t("reprompt-choice", max=len(prompt.options)))
                return
            self.vote(prompt, idx, inbound.text)
            return
        text = inbound.text.strip()
        if not replies.has_content(text):
            self.say(
                f"{self.t('reprompt-text')}\n\n{prompt.question}", Question("text", self.p.seq)
            )
            return
        self.out.responses.append(Response(prompt.id, text[:1600], text[:1600]))
        self.p = self.p.with_(prompt=None)
        self.resume(self.t("prompt-thanks"))

    def vote(self, prompt: Prompt, idx: int, raw: str) -> None:
        if prompt.closed:
            self.say(self.t("poll-closed"))
            return
        if not 0 <= idx < len(prompt.options):
            self.poll_question(prompt, self.t("reprompt-choice", max=len(prompt.options)))
            return
        self.out.responses.append(Response(prompt.id, str(idx), raw or prompt.options[idx]))
        if self.p.prompt == prompt.id:
            self.p = self.p.with_(prompt=None)
        self.resume(self.t("vote-thanks", choice=prompt.options[idx]))

    def resume(self, prefix: str) -> None:
        if self.p.run is not None or self.p.pending == "language":
            self.ask_current(prefix)
        else:
            self.say(prefix)


def advance(ctx: Context, p: Participant, inbound: Inbound, now: datetime) -> Turn:
    """Apply one inbound to a participant. `now` is the caller's clock (unused by the
    shipped steps, part of the contract for time-aware steps such as poll deadlines)."""
    del now
    if inbound.lang_hint and not p.language_explicit:
        p = p.with_(language=pick_language(None, inbound.lang_hint, p.language))
    if p.dialogue not in ctx.dialogues:
        p = p.with_(dialogue=ctx.default_dialogue)
    turn = _Turn(ctx, p)
    cmd = keywords.parse(inbound.text) if inbound.kind == "text" else None

    if p.stopped:
        if inbound.kind == "start" or (cmd and cmd.keyword in ("start", "join")):
            turn.join(
                inbound.code if inbound.kind == "start" else (cmd.argument if cmd else None) or None
            )
        else:
            turn.out.changed = False
    elif p.pending == "delete":
        turn.pending_delete(inbound)
    elif cmd is not None:
        turn.keyword(cmd, inbound)
    elif inbound.kind == "button" and inbound.poll is not None:
        prompt = ctx.prompts.get(inbound.poll)
        if prompt is None:
            turn.say(turn.t("question-closed"))
        else:
            turn.vote(prompt, inbound.picks[0] if len(inbound.picks) == 1 else -1, "")
    elif p.prompt is not None and inbound.kind == "text" and p.consented:
        turn.reply_to_prompt(ctx.prompts.get(p.prompt), inbound)
    elif p.pending == "language":
        turn.pending_language(inbound)
    elif inbound.kind in ("start", "open"):
        turn.join(inbound.code)
    elif p.run is None:
        # A first message (or one after the end) starts or re-offers the dialogue.
        if p.runs_started == 0 or not p.consented:
            turn.start_flow(turn.dialogue.start_flow)
        else:
            turn.say(turn.t("all-done"))
    else:
        turn.answer(inbound)
    turn.out.participant = turn.p
    return turn.out

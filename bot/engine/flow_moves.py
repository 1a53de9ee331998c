"""Moving through a dialogue's flows: walking steps, asking the current one, taking its
answer. Message and end steps are said on the way; a flow that ends hands over to its
`next`. Whether the step is asked now or after what waits on the agenda is `next_up`'s
call (`agenda_moves`)."""

from __future__ import annotations

from bot.engine.builder import Builder, joined
from bot.engine.io import Answer, Asks, Inbound, Proposal, Recorded, Refused
from bot.engine.state import RunState
from bot.engine.steps import Accepted, Asking
from bot.flows import Flow, Step

MAX_MISSES_BEFORE_HELP = 3


class FlowMoves(Builder):
    def start_flow(self, flow_id: str) -> None:
        flow = self.ctx.flows[flow_id]
        run_no = self.p.runs_started + 1
        run = RunState(run_no, flow.id, flow.version, flow.steps[0].id)
        self.p = self.p.with_(run=run, runs_started=run_no)
        self.walk(flow, flow.steps[0].id)

    def walk(self, flow: Flow, step_id: str | None) -> None:
        """From `step_id`, say messages until a question step (made current, not yet
        asked) or the end of the flow."""
        assert self.p.run is not None
        while step_id is not None:
            step = flow.step(step_id)
            if not self.applies(step):
                step_id = self.following(flow, step, None)
                continue
            if not step.asks:  # a message or an end: said on the way
                self.say(self.step_text(flow, step))
                if items := step.agenda(self.ctx.statements):
                    # what the step brings is asked first; the flow waits at this step
                    fresh = tuple(i for i in items if i not in self.p.waiting)
                    self.p = self.p.with_(waiting=(*fresh, *self.p.waiting))
                    assert self.p.run is not None
                    run = RunState(self.p.run.run_no, flow.id, flow.version, step.id)
                    self.p = self.p.with_(run=run)
                    self.record_run(run, "active")
                    return
                step_id = None if step.ends else self.following(flow, step, None)
                continue
            assert self.p.run is not None
            run = RunState(self.p.run.run_no, flow.id, flow.version, step.id)
            self.p = self.p.with_(run=run)
            self.record_run(run, "active")
            return
        self.finish(flow)

    def resume_flow(self) -> None:
        """Go on from a step that waited for what it brought to the agenda."""
        run = self.p.run
        assert run is not None
        flow = self.flow_of(run)
        self.walk(flow, self.following(flow, flow.step(run.step_id), None))

    def flow_waits(self) -> bool:
        """The flow stands at a step that asks nothing (it waits for its agenda items)."""
        run = self.p.run
        return run is not None and not self.flow_of(run).step(run.step_id).asks

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
        if step.ends:
            return None
        if step.next:
            return step.next
        i = flow.index(step.id) + 1
        return flow.steps[i].id if i < len(flow.steps) else None

    def step_text(self, flow: Flow, step: Step) -> str:
        return self.t(f"{flow.id}-{step.id}", dialogue=self.dialogue.title_in(self.p.language))

    def asking(self, flow: Flow, step: Step, seq: int = 0) -> Asking:
        langs = flow.spoken(self.ctx.tr.languages)
        return Asking(self.ctx.tr, flow.id, langs, step, self.p.language, seq, flow.version)

    def ask_step(self, prefix: str = "", *, again: bool = False) -> None:
        """Ask the flow's current step. `again` (after HELP, an interruption...) keeps
        the buttons already drawn for it valid; a new asking draws fresh ones."""
        run = self.p.run
        assert run is not None
        flow = self.flow_of(run)
        step = flow.step(run.step_id)
        seq = run.asked if again and run.asked else self.next_seq()
        self.p = self.p.with_(run=RunState(*_fields(run), asked=seq))
        asked = self.ctx.tr.made(
            ("ask", flow.id, flow.version, step.id, self.p.language),
            lambda: step.ask(self.asking(flow, step, 0)),
        )  # a step's `ask` depends on nothing but its Asking: built once, numbered here
        question = asked.numbered(seq, Asks("step", f"{run.run_no}:{flow.id}:{step.id}"))
        self.say(joined(prefix, self.step_text(flow, step)), question)

    def answer_step(self, text: str, picks: tuple[int, ...] | None, seq: int | None) -> None:
        """A reply to the flow's current step: typed `text`, or `picks` from a button
        drawn with `seq`."""
        run = self.p.run
        assert run is not None
        flow = self.flow_of(run)
        step = flow.step(run.step_id)
        if seq is not None and (seq != run.asked or not run.asked):
            self.fact(Refused("closed"))
            self.say(self.t("question-closed"))
            return
        inbound = (
            Inbound(kind="button", picks=picks, seq=seq or 0)
            if picks is not None
            else Inbound(text=text)
        )
        result = step.accept(self.asking(flow, step, run.asked), inbound)
        if not isinstance(result, Accepted):
            misses = run.misses + 1
            self.p = self.p.with_(run=RunState(*_fields(run)[:4], misses, run.asked))
            prefix = self.t(result.reprompt, **result.args)
            if misses >= MAX_MISSES_BEFORE_HELP:
                prefix += " " + self.t("offer-help")
            self.fact(Refused("invalid"))
            self.ask_step(prefix)
            return
        self.apply(flow, step, result)

    def apply(self, flow: Flow, step: Step, result: Accepted) -> None:
        run = self.p.run
        assert run is not None
        asks = Asks("step", f"{run.run_no}:{flow.id}:{step.id}")
        self.fact(Recorded(asks, result.labels))
        if step.gives_consent:
            if result.value == "no":
                self.say(self.t(f"{flow.id}-{step.id}-declined"))
                self.record_run(run, "declined")
                self.p = self.p.with_(run=None, consented=False, profile={})
                self.clear_agenda()
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
            if step.proposes:
                self.out.proposals.append(Proposal(result.value, self.p.language))
        self.walk(flow, self.following(flow, step, result.value))
        self.next_up()


def _fields(run: RunState) -> tuple[int, str, str, str, int]:
    return (run.run_no, run.flow_id, run.version, run.step_id, run.misses)

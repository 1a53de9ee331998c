"""Promises to participants, as properties over random interleavings (hypothesis).

Three people talk to a real runner on a real SQLite file while a facilitator sends
prompts, polls (some urgent, some to one group), shares results and closes polls; the
clock moves and the scheduler wakes agendas; messages reach phones late or not at all
before people answer. Whatever the order:

- every stored answer or vote answers the question that person was shown last;
- a reply that answers the question shown last is taken (or told the question closed):
  nothing a person types is lost or shifted to another question;
- nothing is stored for someone who has not consented;
- after STOP nothing bulk reaches them (only the answers to what they send).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.engine.io import Asks, Message, Question, Recorded, Refused
from bot.runtime import Content, open_runner
from bot.turns import TurnRunner
from tests.conftest import make_settings, shared_content
from tests.people import Clock, phone, q, send, use_clock

PEOPLE = ("p0", "p1", "p2")
ORG = "org"
EXAMPLES = int(os.environ.get("BARAZA_PROPERTY_EXAMPLES", "25"))

person = st.sampled_from(PEOPLE)
action = st.one_of(
    st.tuples(st.just("answer"), person),
    st.tuples(st.just("answer"), person),
    st.tuples(st.just("answer"), person),
    st.tuples(st.just("deliver"), person),
    st.tuples(st.just("deliver"), person),
    st.tuples(
        st.just("say"),
        person,
        st.sampled_from(
            [
                "Join us",
                "Join committee.",
                "Stop the leaks",
                "help me please",
                "-1",
                "SKIP",
                "STOP",
                "START",
                "DELETE",
                "YES",
                "no",
                "LANG es",
                "LANG en",
                "MYDATA",
                "POLL 1",
                "POLL 2",
                "hello",
                "42",
            ]
        ),
    ),
    st.tuples(st.just("tap"), person, st.integers(1, 3), st.integers(0, 2)),
    st.tuples(
        st.just("facilitator"),
        st.sampled_from(
            [
                "/prompt What worries you?",
                "/prompt --urgent Quick: are you safe?",
                "/poll Which first? | Water | Roads | Schools",
                "/poll --urgent Now? | Yes | No",
                "/poll --to government Budget? | More | Less",
                "/share",
                "/close",
            ]
        ),
    ),
    st.tuples(st.just("wait"), st.sampled_from([1, 5, 20])),
)


@dataclass
class Phone:
    """What one person has seen, and the question open for them: the one shown last,
    until they answered it."""

    seen: list[Message] = field(default_factory=list)
    open: Question | None = None
    stopped: bool = False

    def show(self, messages: list[Message]) -> None:
        self.seen += messages
        for m in messages:
            if m.question is not None:
                self.open = m.question

    @property
    def last_asks(self) -> Asks | None:
        return self.open.asks if self.open is not None else None

    def reply(self) -> str:
        """A valid answer to the open question."""
        if self.open is None or self.open.kind == "text":
            return "Some words here"
        if self.open.kind == "scale":
            return self.open.options[0].value
        return "1"


async def scenario(content: Content, steps: list[tuple[object, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp), facilitators=f"console:{ORG}")
        runner = await open_runner(settings, content)
        clock = Clock()
        use_clock(runner, clock)
        phones = {who: Phone() for who in PEOPLE}
        try:
            for who in PEOPLE:
                await send(runner, who, kind="open")
                phones[who].show(await phone(runner, who))
            for step in steps:
                await play(runner, clock, phones, step)
            check_storage(runner)
        finally:
            await runner.db.close()


async def deliver(runner: TurnRunner, who: str, p: Phone) -> None:
    got = await phone(runner, who)
    if p.stopped:
        bulk = [m for m in got if not m.force and m.item is not None]
        assert not bulk, f"{who} stopped but got {bulk}"
    p.show(got)


async def play(
    runner: TurnRunner, clock: Clock, phones: dict[str, Phone], step: tuple[object, ...]
) -> None:
    kind = step[0]
    if kind == "deliver":
        who = str(step[1])
        await deliver(runner, who, phones[who])
    elif kind in ("answer", "say"):
        who = str(step[1])
        p = phones[who]
        text = p.reply() if kind == "answer" else str(step[2])
        before = p.last_asks
        out = await send(runner, who, text)
        assert out.turn is not None
        turn = out.turn
        stored = [a.asks for a in turn.answers] + [r.asks for r in turn.responses]
        for asks in stored:
            assert asks == before, f"{who} said {text!r} to {before}, stored against {asks}"
        if stored:
            assert turn.participant.consented, f"{who}: stored without consent"
        if kind == "answer" and before is not None and not p.stopped and not turn.erase:
            taken = [f for f in turn.facts if isinstance(f, Recorded) and f.asks == before]
            refused = Refused("closed") in turn.facts or Refused("invalid") in turn.facts
            assert taken or refused, f"{who}'s answer {text!r} to {before} was lost: {turn.facts}"
        if any(
            (isinstance(f, Recorded) and f.asks == before)
            or f in (Refused("closed"), Refused("skipped"))
            for f in turn.facts
        ):
            p.open = None  # answered, passed or closed: until the next question arrives
        if text.upper() == "STOP":
            p.stopped = True
        elif text.upper() == "START":
            p.stopped = False
        if turn.erase:
            phones[who] = p = Phone()
        await deliver(runner, who, p)
    elif kind == "tap":
        who, poll, pick = str(step[1]), int(step[2]), int(step[3])  # type: ignore[call-overload]
        from bot.engine.state import Item

        out = await send(runner, who, kind="button", item=Item("poll", poll), picks=(pick,))
        if out.turn is not None and out.turn.responses:
            assert out.turn.participant.consented
        await deliver(runner, who, phones[who])
    elif kind == "facilitator":
        await send(runner, ORG, str(step[1]))
        await send(runner, ORG, "/send")  # after the preview (or nothing to send)
        await phone(runner, ORG)
    elif kind == "wait":
        clock.advance(timedelta(minutes=int(step[1])))  # type: ignore[call-overload]
        await runner.wake_due()


def check_storage(runner: TurnRunner) -> None:
    unconsented = q(
        runner,
        "SELECT count(*) FROM (SELECT participant_id FROM answers UNION ALL"
        " SELECT participant_id FROM responses) x JOIN participants p ON p.id = x.participant_id"
        " WHERE p.consented_at IS NULL",
    )
    assert unconsented == [(0,)]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(steps=st.lists(action, min_size=10, max_size=45))
@example(  # found by hypothesis: results shared, the poll asked again after them in the
    # same bulk message, taken back when the person voted first: the vote was lost
    steps=[
        *[("answer", "p0")] * 5,
        ("facilitator", "/poll Which first? | Water | Roads | Schools"),
        ("answer", "p0"),
        ("wait", 20),
        ("facilitator", "/share"),
        ("answer", "p0"),
    ]
)
@example(  # found by hypothesis in CI: an urgent poll delivered, results shared 20 min later
    steps=[
        *[("answer", "p0")] * 5,
        ("facilitator", "/poll --urgent Now? | Yes | No"),
        ("deliver", "p0"),
        ("wait", 20),
        ("facilitator", "/share"),
        ("answer", "p0"),
    ]
)
def test_promises_hold_over_random_interleavings(steps: list[tuple[object, ...]]) -> None:
    asyncio.run(scenario(shared_content(), steps))



"""Hypothesis: any text at any step of any shipped flow gets an answer, never an exception."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dialogues import Dialogue
from bot.engine.advance import Context, advance
from bot.engine.io import Inbound
from bot.engine.state import Participant, RunState
from bot.runtime import Content

NOW = datetime(2026, 11, 29, tzinfo=UTC)
junk = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(categories=["So", "Zs", "P"]), max_size=20),
    st.sampled_from(
        ["", " ", "\n", "0", "-1", "99", "1 1 1 1", "🙂", "x" * 10_000, "/start", "JOIN"]
    ),
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), text=junk, lang=st.sampled_from(["en", "fr", "es"]))
def test_any_text_at_any_step_gets_an_answer(
    content: Content, data: st.DataObject, text: str, lang: str
) -> None:
    flows = content.library.flows
    ctx = Context(
        content.tr,
        flows,
        {f.version: f for f in flows.values()},
        {"d": Dialogue(code="dd", title={"en": "D"}, flows=("onboarding",))},
        "d",
    )
    flow = data.draw(st.sampled_from(sorted(flows.values(), key=lambda f: f.id)))
    asked = [s for s in flow.steps if s.type not in ("message", "end")]
    step = data.draw(st.sampled_from(asked))
    p = Participant(
        id="p",
        language=lang,
        consented=True,
        run=RunState(1, flow.id, flow.version, step.id),
        runs_started=1,
        seq=5,
    )
    turn = advance(ctx, p, Inbound(text=text), NOW)
    assert turn.messages, "every message gets an answer"
    assert all(m.text.strip() for m in turn.messages)
    # a button tap with any indexes is handled too
    picks = data.draw(st.lists(st.integers(-2, 12), max_size=4))
    turn = advance(
        ctx, p, Inbound(kind="button", seq=data.draw(st.integers(0, 6)), picks=tuple(picks)), NOW
    )
    assert turn.messages

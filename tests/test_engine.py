"""The pure engine: every step type, re-prompts, branches, keywords. No I/O involved."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from bot.dialogues import Dialogue
from bot.engine.advance import Context, advance
from bot.engine.io import Inbound, Turn
from bot.engine.state import Participant
from bot.flows import Flow
from bot.i18n import Translator
from bot.runtime import Content

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


class Chat:
    """Drives the engine like a participant would, keeping the state between turns."""

    def __init__(
        self,
        content: Content,
        flows: dict[str, Flow] | None = None,
        start: str = "onboarding",
        lang: str = "en",
    ) -> None:
        self.flows = dict(flows or content.library.flows)
        self.tr: Translator = content.tr
        dialogue = Dialogue(code="d1", title={"en": "Water talks"}, flows=(start,))
        self.ctx = Context(
            self.tr, self.flows, {f.version: f for f in self.flows.values()}, {"d1": dialogue}, "d1"
        )
        self.p = Participant(id="p1", language=lang)
        self.turns: list[Turn] = []

    def send(self, text: str = "", **kw: Any) -> list[str]:
        inbound = Inbound(text=text, **kw) if "kind" in kw else Inbound(text=text)
        turn = advance(self.ctx, self.p, inbound, NOW)
        self.p = turn.participant
        self.turns.append(turn)
        return [m.text for m in turn.messages]

    @property
    def last(self) -> Turn:
        return self.turns[-1]

    @property
    def step(self) -> str | None:
        return self.p.run.step_id if self.p.run else None


def flow_from(text: str) -> Flow:
    return Flow.model_validate(yaml.safe_load(text))


def onboarded(content: Content, lang: str = "en") -> Chat:
    chat = Chat(content, lang=lang)
    chat.send(kind="open")
    chat.send("yes")
    chat.send({"en": "1", "fr": "2", "es": "3"}[lang])
    return chat


def test_first_contact_welcomes_and_asks_consent(content: Content) -> None:
    chat = Chat(content)
    texts = chat.send(kind="open")
    assert "Water talks" in texts[0]
    assert chat.step == "consent"
    q = chat.last.messages[-1].question
    assert q is not None and q.kind == "consent"
    assert [o.label for o in q.options] == ["Yes", "No"]


def test_nothing_but_language_is_kept_before_consent(content: Content) -> None:
    chat = Chat(content)
    chat.send(kind="open")
    assert not chat.p.consented
    assert chat.last.answers == []
    chat.send("no")
    assert chat.p.run is None and not chat.p.consented
    assert chat.last.messages[0].text == content.tr("en", "onboarding-consent-declined")
    assert chat.last.runs[-1].status == "declined"
    # writing again offers the dialogue again
    chat.send("hello")
    assert chat.step == "consent"


def test_consent_then_profile_saved_with_prefer_not(content: Content) -> None:
    chat = onboarded(content)
    assert chat.p.consented and chat.p.language == "en" and chat.p.language_explicit
    chat.send("government")
    assert chat.p.profile == {"group": "government"}
    chat.send("prefer not to say")
    assert chat.p.profile["age"] == "prefer-not"
    values = [(a.step_id, a.value) for t in chat.turns for a in t.answers]
    assert ("consent", "yes") in values and ("group", "government") in values


@pytest.mark.parametrize(
    ("reply", "expected"),
    [("3", "government"), ("three", "government"), ("trois", "government"), ("tres", "government"),
     ("Gobierno", "government"), ("GOUVERNEMENT", "government"), ("goverment", "government"),
     ("Civil society", "civil-society"), ("societe civile", "civil-society"), ("sociedad civil", "civil-society"),
     ("#2", "civil-society"), ("2.", "civil-society")],
)  # fmt: skip
def test_choice_accepts_numbers_words_labels_in_any_language_and_typos(
    content: Content, reply: str, expected: str
) -> None:
    chat = onboarded(content)
    chat.send(reply)
    assert chat.p.profile.get("group") == expected


@pytest.mark.parametrize("junk", ["", "   ", "🙂🙂", "42", "x" * 10_000, "blah"])
def test_off_script_reply_reprompts_with_what_is_accepted(content: Content, junk: str) -> None:
    chat = onboarded(content)
    texts = chat.send(junk)
    assert chat.step == "group"
    assert "number from 1 to 8" in texts[0]
    assert chat.last.messages[0].question is not None


def test_three_misses_offer_help(content: Content) -> None:
    chat = onboarded(content)
    assert "HELP" not in chat.send("?")[0]
    chat.send("?")
    assert "Reply HELP" in chat.send("?")[0]


def test_yes_no_words_in_three_languages(content: Content) -> None:
    for word in ["yes", "y", "oui", "si", "sí", "Sí", "1", "OK"]:
        chat = Chat(content)
        chat.send(kind="open")
        chat.send(word)
        assert chat.p.consented, word
    for word in ["no", "n", "non", "2"]:
        chat = Chat(content)
        chat.send(kind="open")
        chat.send(word)
        assert not chat.p.consented and chat.p.run is None, word


SCRATCH = """
id: scratch
steps:
  - id: rate
    type: scale
    range: [1, 5]
    goto: {1: low}
  - id: pick
    type: multi
    options: [water, health, jobs, land]
    max: 2
  - id: story
    type: text
    max_chars: 20
  - id: more
    type: yesno
    goto: {no: bye}
  - id: low
    type: text
    when: {profile.group: [government]}
  - id: bye
    type: end
"""


def scratch_chat(content: Content) -> Chat:
    flow = flow_from(SCRATCH)
    chat = Chat(content, {"scratch": flow}, start="scratch")
    chat.p = chat.p.with_(consented=True)
    chat.send(kind="open")
    return chat


def test_scale_accepts_digits_and_number_words_and_shows_its_ends(content: Content) -> None:
    chat = scratch_chat(content)
    q = chat.last.messages[-1].question
    assert (
        q is not None
        and q.kind == "scale"
        and [o.value for o in q.options] == ["1", "2", "3", "4", "5"]
    )
    assert "number from 1 to 5" in chat.send("9")[0]
    chat.send("four")
    assert chat.last.answers[0].value == "4" and chat.step == "pick"


def test_goto_on_a_scale_value_and_condition_skips_step(content: Content) -> None:
    chat = scratch_chat(content)
    chat.send("1")  # goto low; `low` only applies to government, so the flow ends at bye
    assert chat.p.run is None
    assert chat.last.runs[-1].status == "completed"


def test_multi_accepts_up_to_max(content: Content) -> None:
    chat = scratch_chat(content)
    chat.send("3")
    assert "up to 2 numbers" in chat.last.messages[-1].question.hint  # type: ignore[union-attr]
    assert "at most 2" in chat.send("1 2 3")[0]
    chat.send("1, water and jobs 3")
    assert chat.last.answers[0].value == "water jobs" and chat.step == "story"


def test_text_limit_and_yesno_branch(content: Content) -> None:
    chat = scratch_chat(content)
    chat.send("3")
    chat.send("1 2")
    assert "21 characters" in chat.send("x" * 21)[0]
    chat.send("a short story")
    assert chat.last.answers[0].value == "a short story" and chat.step == "more"
    chat.send("no")
    assert chat.p.run is None


def test_buttons_and_stale_buttons(content: Content) -> None:
    chat = onboarded(content)
    seq = chat.p.seq
    chat.send(kind="button", seq=seq, picks=(2,))
    assert chat.p.profile["group"] == "government"
    texts = chat.send(kind="button", seq=seq, picks=(0,))
    assert "closed" in texts[0]
    assert chat.p.profile["group"] == "government" and chat.last.answers == []


def test_flow_hands_over_to_next_flow(content: Content) -> None:
    chat = onboarded(content)
    for reply in ["1", "2", "1", "1"]:
        chat.send(reply)
    assert chat.p.run is not None and chat.p.run.flow_id == "explore"
    assert [r.status for r in chat.last.runs[:1]] == ["completed"]


def test_stop_silences_until_start(content: Content) -> None:
    chat = onboarded(content)
    for word in ["STOP", "arrêt", "ALTO", "baja"]:
        chat.p = chat.p.with_(stopped=False)
        texts = chat.send(word)
        assert chat.p.stopped and chat.last.messages[0].force, word
        assert "START" in texts[0]
    assert chat.send("1") == [] and chat.last.changed is False
    texts = chat.send("START")
    assert not chat.p.stopped and "Welcome back" in texts[0] and chat.step == "group"


def test_open_never_undoes_stop(content: Content) -> None:
    chat = onboarded(content)
    chat.send("stop")
    assert chat.send(kind="open") == [] and chat.p.stopped


def test_help_and_language_change_resume_the_question(content: Content) -> None:
    chat = onboarded(content)
    texts = chat.send("aide")
    assert "STOP" in texts[0] and chat.last.messages[0].question is not None
    chat.send("LANGUE")
    assert chat.p.pending == "language"
    texts = chat.send("Español")
    assert chat.p.language == "es" and "grupo" in texts[0]
    texts = chat.send("lang fr")
    assert chat.p.language == "fr" and "groupe" in texts[0]


def test_language_hint_until_explicit_choice(content: Content) -> None:
    chat = Chat(content)
    chat.send(kind="open", lang_hint="fr-CA")
    assert chat.p.language == "fr"
    chat.send("oui")
    chat.send("3", lang_hint="fr-CA")  # explicit: Español
    chat.send("1", lang_hint="fr-CA")
    assert chat.p.language == "es"


def test_mydata_and_delete_with_confirmation(content: Content) -> None:
    chat = onboarded(content)
    chat.send("2")
    texts = chat.send("MYDATA")
    assert "p1" in texts[0] and "group: Civil society" in texts[0]
    chat.send("delete")
    assert chat.p.pending == "delete"
    texts = chat.send("no")
    assert not chat.last.erase and "Nothing was deleted" in texts[0]
    chat.send("borrar")
    chat.send("yes")
    assert chat.last.erase and chat.last.messages[0].force


def test_join_with_an_unknown_code_is_an_answer_not_a_keyword(content: Content) -> None:
    chat = onboarded(content)
    texts = chat.send("JOIN nowhere")
    assert texts[0].startswith("Sorry, I did not understand") and chat.step == "group"
    assert chat.last.answers == []


def test_keyword_inside_an_open_answer_is_an_answer(content: Content) -> None:
    chat = onboarded(content)
    for reply in ["1", "2", "1", "1"]:
        chat.send(reply)
    assert chat.step == "challenge"
    chat.send("stop the floods")
    assert not chat.p.stopped and chat.last.answers[0].value == "stop the floods"


def test_a_tap_on_the_language_keyboard_after_choosing_is_closed(content: Content) -> None:
    chat = onboarded(content)
    chat.send("LANG")
    lang_seq = chat.p.seq
    chat.send(kind="button", seq=lang_seq, picks=(1,))  # Français
    assert chat.p.language == "fr" and chat.step == "group"
    texts = chat.send(kind="button", seq=lang_seq, picks=(2,))
    assert "close" in texts[0] and "profile" not in chat.p.profile
    assert chat.p.profile == {}


@pytest.mark.parametrize(("hello", "lang"), [("hi", "en"), ("Bonjour !", "fr"), ("hola", "es")])
def test_a_hello_is_greeted_not_taken_as_an_answer(content: Content, hello: str, lang: str) -> None:
    chat = Chat(content, lang=lang)
    chat.send(kind="open")
    texts = chat.send(hello)
    assert texts[0].startswith(content.tr(lang, "greeting"))
    assert content.tr(lang, "onboarding-consent") in texts[0]
    assert chat.step == "consent" and chat.p.run is not None and chat.p.run.misses == 0
    assert chat.last.answers == [] and not chat.p.consented


def test_a_numbered_question_keeps_everything_but_its_counter_and_what_it_asks() -> None:
    from dataclasses import fields, replace

    from bot.engine.io import Asks, Option, Question
    from bot.engine.state import Item

    q = Question(
        "multi", 3, (Option("a", "A"),), max_choices=2, hint="h", poll=4, statement=5,
        asks=Asks("poll", "4"), skip=Item("poll", 4),
    )  # fmt: skip
    assert all(getattr(q, f.name) != getattr(Question("text", 0), f.name) for f in fields(q))
    asks = Asks("step", "1:f:s")
    assert q.numbered(9, asks) == replace(q, seq=9, asks=asks)


def test_each_asking_of_a_step_draws_fresh_buttons_from_the_question_built_once(
    content: Content,
) -> None:
    """The engine builds a step's question once per language (`Translator.made`) and
    numbers it at each asking: buttons of an earlier asking stay recognisable as old."""
    chat = onboarded(content)  # at the group step (a choice), asked once
    asked_first = chat.last.messages[-1].question
    chat.send("purple")  # not an option: the step is asked anew, with fresh buttons
    asked_again = chat.last.messages[-1].question
    assert asked_first is not None and asked_again is not None
    assert asked_first.kind == asked_again.kind == "choice"
    assert asked_first.options == asked_again.options
    assert asked_again.seq > asked_first.seq
    assert asked_first.asks == asked_again.asks
    french = onboarded(content, "fr").last.messages[-1].question
    assert french is not None and french.options != asked_first.options  # per language
    assert [o.value for o in french.options] == [o.value for o in asked_first.options]


def test_two_versions_of_a_flow_keep_their_own_options(content: Content) -> None:
    """What a step's texts build is kept per flow version: a step that gained options in
    a new version is answered with its own labels, not the ones built for the old one."""
    old = flow_from("id: pick\nsteps:\n  - {id: color, type: choice, options: [red, blue]}\n")
    new = flow_from(
        "id: pick\nsteps:\n  - {id: color, type: choice, options: [green, red, blue]}\n"
    )
    assert old.version != new.version
    for flow, typed, value, options in (
        (old, "blue", "blue", ["red", "blue"]),
        (new, "green", "green", ["green", "red", "blue"]),
    ):
        chat = Chat(content, {"pick": flow}, start="pick")
        chat.p = chat.p.with_(consented=True)
        chat.send(kind="open")
        asked = chat.last.messages[-1].question
        assert asked is not None
        assert [o.value for o in asked.options] == options
        chat.send(typed)  # a label only this version has, or has at another place
        assert [a.value for a in chat.last.answers] == [value]

"""The questions of a dialogue, in dialogue order: every answered step of its flows (the
start flow, then each flow's `next`, steps in file order), then the facilitators' prompts
and polls. Each with its text and its options' labels in every language, read from the
flows' Fluent texts (steps) or the prompt's own texts (prompts, polls).

One catalogue serves the dashboard, the `/answers` pages, the CSV export's labels and the
FLOIP package's codebook, so they all name a question the same way: its id is the Fluent
id of a step (`explore-urgency`), or `poll-3` / `prompt-4`. Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.dialogues import Dialogue, flows_of
from bot.engine.steps.language import LanguageStep
from bot.engine.steps.multi import MultiStep
from bot.engine.steps.scale import ScaleStep
from bot.engine.steps.yesno import YesNoStep
from bot.flows import Flow, Step
from bot.i18n import Translator
from storage.prompts import PromptRow

Kind = str
"""A step type (`choice`, `multi`, `scale`, `yesno`, `consent`, `text`), `poll` or `prompt`."""
OPEN_KINDS = ("text", "prompt")
"""Questions answered in people's own words."""
DISTRIBUTED = ("choice", "multi", "yesno", "consent", "poll")
"""Questions whose answers are options: shown as a distribution."""


@dataclass(frozen=True)
class Choice:
    value: str
    """As stored: an option code (`water`), `yes`/`no`, a scale number, a poll's index."""
    labels: Mapping[str, str]

    def label(self, lang: str) -> str:
        return _pick(self.labels, lang, self.value)


@dataclass(frozen=True)
class Question:
    id: str
    kind: Kind
    labels: Mapping[str, str]
    """The question's text per language."""
    choices: tuple[Choice, ...] = ()
    flow: str | None = None
    step: str | None = None
    prompt: PromptRow | None = None
    range: tuple[int, int] | None = None
    max_choices: int | None = None
    save: str | None = None
    """`profile.group`, `language`... for steps that fill the profile."""
    ends: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """A scale's labels of its low and high ends, per language."""

    def label(self, lang: str) -> str:
        return _pick(self.labels, lang, self.id)

    def choice(self, value: str) -> Choice | None:
        for c in self.choices:
            if c.value == value:
                return c
        return None

    def answer_label(self, value: str, lang: str) -> str:
        """A stored value as people saw it: `water health` -> `Water; Health`."""
        if self.kind == "multi":
            return "; ".join(self._label(v, lang) for v in value.split())
        return self._label(value, lang)

    def _label(self, value: str, lang: str) -> str:
        found = self.choice(value)
        return found.label(lang) if found is not None else value

    @property
    def open(self) -> bool:
        return self.kind in OPEN_KINDS

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)


def _pick(labels: Mapping[str, str], lang: str, fallback: str) -> str:
    return labels.get(lang) or next(iter(labels.values()), fallback)


def _texts(tr: Translator, msg_id: str, languages: Iterable[str], **args: str) -> dict[str, str]:
    """A Fluent text in each language that has it (a missing one is left out)."""
    return {lang: tr(lang, msg_id, **args) for lang in languages if tr.has(lang, msg_id)}


def step_question(flow: Flow, step: Step, tr: Translator, title: Mapping[str, str]) -> Question:
    """A flow step as a question, with its texts in every language of the flow."""
    base = f"{flow.id}-{step.id}"
    langs: list[str] = list(flow.spoken(tr.languages))
    labels = {
        lang: tr(lang, base, dialogue=title.get(lang, "")) for lang in langs if tr.has(lang, base)
    }
    choices: tuple[Choice, ...] = ()
    ends: dict[str, tuple[str, str]] = {}
    scale = step.range if isinstance(step, ScaleStep) else None
    if step.option_values():
        choices = tuple(
            Choice(opt, _texts(tr, f"{base}-{opt}", langs) or {"en": opt})
            for opt in step.option_values()
        )
    elif isinstance(step, LanguageStep):
        choices = tuple(Choice(x, {lang: tr.name_of(x) for lang in langs}) for x in langs)
    elif isinstance(step, YesNoStep):
        choices = tuple(Choice(v, _texts(tr, v, langs) or {"en": v}) for v in ("yes", "no"))
    elif scale is not None:
        low, high = scale
        choices = tuple(
            Choice(str(n), {lang: str(n) for lang in langs}) for n in range(low, high + 1)
        )
        ends = {
            lang: (tr(lang, f"{base}-low"), tr(lang, f"{base}-high"))
            for lang in langs
            if tr.has(lang, f"{base}-low")
        }
    return Question(
        base,
        step.type,
        labels,
        choices,
        flow=flow.id,
        step=step.id,
        range=scale,
        max_choices=step.most if isinstance(step, MultiStep) else None,
        save=step.save,
        ends=ends,
    )


def prompt_question(row: PromptRow) -> Question:
    """A prompt (open) or a poll (one option), with the texts the facilitator wrote."""
    labels = {lang: str(t.get("question", "")) for lang, t in row.texts.items()}
    choices: tuple[Choice, ...] = ()
    if row.kind == "poll":
        width = len(row.options(next(iter(row.texts), "en")))
        choices = tuple(
            Choice(str(i), {lang: row.options(lang)[i] for lang in row.texts}) for i in range(width)
        )
    return Question(f"{row.kind}-{row.id}", row.kind, labels, choices, prompt=row)


def statement_question(sid: int, texts: Mapping[str, str], tr: Translator | None) -> Question:
    """A statement: agree, disagree or pass (the votes as the FLOIP package gives them)."""
    choices = tuple(
        Choice(
            value,
            {lang: tr(lang, f"statement-{stance}") for lang in tr.languages} if tr else {"en": value},
        )
        for value, stance in (("agree", "agree"), ("disagree", "disagree"), ("pass", "pass"))
    )
    return Question(f"statement-{sid}", "statement", dict(texts), choices)


def flow_questions(dialogue: Dialogue, flows: Mapping[str, Flow], tr: Translator) -> list[Question]:
    """Every answered step of the dialogue's flows, in dialogue order."""
    title = {lang: dialogue.title_in(lang) for lang in tr.languages}
    found: list[Question] = []
    for flow_id in flows_of(dialogue, flows):
        flow = flows.get(flow_id)
        if flow is None:
            continue
        found.extend(
            step_question(flow, step, tr, title)
            for step in flow.steps
            if step.asks
        )
    return found


def catalogue(
    dialogue: Dialogue,
    flows: Mapping[str, Flow],
    tr: Translator,
    prompt_rows: Iterable[PromptRow],
) -> list[Question]:
    """The flows' questions in dialogue order, then the prompts and polls sent, oldest first."""
    sent = [prompt_question(r) for r in prompt_rows if r.sent_at is not None]
    return [*flow_questions(dialogue, flows, tr), *sent]


def group_labels(
    dialogue: Dialogue, flows: Mapping[str, Flow], tr: Translator
) -> dict[str, Mapping[str, str]]:
    """Stakeholder group codes -> their labels per language, from the step of the
    dialogue's flows that saves `profile.group`."""
    for q in flow_questions(dialogue, flows, tr):
        if q.save == "profile.group":
            return {c.value: c.labels for c in q.choices}
    return {}

"""`language`: the language menu: every language the flow is offered in, each named in its
own words (`locales/<code>/language.yaml`). The answer becomes the participant's language.

- id: language
  type: language
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import model_validator

from bot.engine import replies
from bot.engine.io import Inbound, Option, Question
from bot.engine.steps.base import Accepted, Asking, Miss, StepBase


class LanguageStep(StepBase):
    type: Literal["language"]
    saves_language: ClassVar[bool] = True

    @model_validator(mode="before")
    @classmethod
    def _saves_language(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("save") is None:
            data = {**data, "save": "language"}
        return data

    @model_validator(mode="after")
    def _only_language(self) -> LanguageStep:
        if self.save != "language":
            raise ValueError("a language step saves the language (save: language)")
        return self

    def ask(self, q: Asking) -> Question:
        options = tuple(Option(lang, q.tr.name_of(lang)) for lang in q.languages)
        return Question("language", q.seq, options)

    def accept(self, q: Asking, inbound: Inbound) -> Accepted | Miss:
        langs = q.languages
        if inbound.kind == "button":
            idx = inbound.picks[0] if len(inbound.picks) == 1 else None
        else:
            names = [[lang, q.tr.name_of(lang)] for lang in langs]
            idx = replies.choice(inbound.text, names, q.tr.lexicon)
        if idx is None or not 0 <= idx < len(langs):
            return Miss("reprompt-choice", {"max": len(langs)})
        name = q.tr.name_of(langs[idx])
        return Accepted(langs[idx], inbound.text or name, (name,))

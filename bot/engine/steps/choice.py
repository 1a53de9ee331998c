"""`choice`: one of a numbered list. Accepts the number, a number word or a label (in
any of the flow's languages, forgiving typos). `save: language` makes it the language
menu; `save: profile.<field>` keeps the answer in the profile (offer `prefer-not`).

- id: group
  type: choice
  options: [community, government, prefer-not]
  save: profile.group
"""

from __future__ import annotations

from typing import ClassVar, Literal

from bot.engine import replies
from bot.engine.io import Inbound, Option, Question
from bot.engine.steps.base import Accepted, Asking, Miss, OptionsStep


class ChoiceStep(OptionsStep):
    type: Literal["choice"]
    saves_language: ClassVar[bool] = True

    def answer_values(self) -> tuple[str, ...]:
        return self.options

    def ask(self, q: Asking) -> Question:
        options = tuple(Option(opt, q.text(opt)) for opt in self.options)
        kind: Literal["language", "choice"] = "language" if self.save == "language" else "choice"
        return Question(kind, q.seq, options)

    def accept(self, q: Asking, inbound: Inbound) -> Accepted | Miss:
        opts = self.options
        if inbound.kind == "button":
            if len(inbound.picks) == 1 and 0 <= inbound.picks[0] < len(opts):
                label = q.text(opts[inbound.picks[0]])
                return Accepted(opts[inbound.picks[0]], label, (label,))
            return Miss("reprompt-choice", {"max": len(opts)})
        idx = replies.choice(inbound.text, q.labels_everywhere(), q.tr.lexicon)
        if idx is None:
            return Miss("reprompt-choice", {"max": len(opts)})
        return Accepted(opts[idx], inbound.text, (q.text(opts[idx]),))

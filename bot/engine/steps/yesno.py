"""`yesno`: yes/no/oui/non/sí/y/n, or 1 (yes) / 2 (no).

- id: more
  type: yesno
  goto: {no: thanks}
"""

from __future__ import annotations

from typing import ClassVar, Literal

from bot.engine import replies
from bot.engine.io import Inbound, Option, Question
from bot.engine.steps.base import Accepted, Asking, Miss, StepBase


class YesNoStep(StepBase):
    type: Literal["yesno"]

    def answer_values(self) -> tuple[str, ...]:
        return ("yes", "no")

    question_kind: ClassVar[Literal["yesno", "consent"]] = "yesno"

    def ask(self, q: Asking) -> Question:
        options = (Option("yes", q.tr(q.lang, "yes")), Option("no", q.tr(q.lang, "no")))
        return Question(self.question_kind, q.seq, options)

    def accept(self, q: Asking, inbound: Inbound) -> Accepted | Miss:
        said = yes_or_no(q, inbound)
        if said is None:
            return Miss("reprompt-yesno")
        value = "yes" if said else "no"
        return Accepted(value, inbound.text or value, (q.tr(q.lang, value),))


def yes_or_no(q: Asking, inbound: Inbound) -> bool | None:
    if inbound.kind == "button":
        return {0: True, 1: False}.get(inbound.picks[0]) if len(inbound.picks) == 1 else None
    said = replies.yes_no(inbound.text, q.tr.lexicon)
    if said is None:
        idx = replies.match_label(
            inbound.text, [[q.tr(lang, w) for lang in q.languages] for w in ("yes", "no")]
        )
        said = None if idx is None else idx == 0
    return said

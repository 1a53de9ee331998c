"""`propose`: the person writes a short statement for the others to agree or disagree with
(at most 100 characters, so it stays one SMS with its options). It is kept as their
answer and proposed to the facilitators, who approve it before anyone votes on it.

- id: idea
  type: propose
"""

from __future__ import annotations

from typing import ClassVar, Literal

from bot.engine import replies
from bot.engine.io import MAX_STATEMENT, Inbound, Question
from bot.engine.steps.base import Accepted, Asking, Miss, StepBase


class ProposeStep(StepBase):
    type: Literal["propose"]
    proposes: ClassVar[bool] = True

    def ask(self, q: Asking) -> Question:
        return Question("text", q.seq, hint=q.tr(q.lang, "propose-hint", max=MAX_STATEMENT))

    def accept(self, q: Asking, inbound: Inbound) -> Accepted | Miss:
        text = " ".join(inbound.text.split())
        if inbound.kind == "button" or not replies.has_content(text):
            return Miss("reprompt-text")
        if len(text) > MAX_STATEMENT:
            return Miss("reprompt-too-long", {"max": MAX_STATEMENT, "length": len(text)})
        return Accepted(text, text)

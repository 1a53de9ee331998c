"""`text`: an open answer, at least one letter or digit, at most `max_chars` characters.

- id: challenge
  type: text
  max_chars: 480
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.engine import replies
from bot.engine.io import Inbound, Question
from bot.engine.steps.base import Accepted, Asking, Miss, StepBase


class TextStep(StepBase):
    type: Literal["text"]
    max_chars: int = Field(default=480, ge=1, le=1600)

    def ask(self, q: Asking) -> Question:
        return Question("text", q.seq)

    def accept(self, q: Asking, inbound: Inbound) -> Accepted | Miss:
        text = inbound.text.strip()
        if inbound.kind == "button" or not replies.has_content(text):
            return Miss("reprompt-text")
        if len(text) > self.max_chars:
            return Miss("reprompt-too-long", {"max": self.max_chars, "length": len(text)})
        return Accepted(text, text)

"""`text`: an open answer, at least one letter or digit, at most `max_chars` characters.

- id: challenge
  type: text
  max_chars: 480
"""

from __future__ import annotations

from bot.engine import replies
from bot.engine.io import Inbound, Question
from bot.engine.steps import Accepted, Asking, Miss


def ask(q: Asking) -> Question:
    return Question("text", q.seq)


def accept(q: Asking, inbound: Inbound) -> Accepted | Miss:
    text = inbound.text.strip()
    if inbound.kind == "button" or not replies.has_content(text):
        return Miss("reprompt-text")
    if len(text) > q.step.max_chars:
        return Miss("reprompt-too-long", {"max": q.step.max_chars, "length": len(text)})
    return Accepted(text, text)

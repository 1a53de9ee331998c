"""`choice`: one of a numbered list. Accepts the number, a number word or a label.

- id: group
  type: choice
  options: [community, government, prefer-not]
  save: profile.group
"""

from __future__ import annotations

from bot.engine import replies
from bot.engine.io import Inbound, Option, Question
from bot.engine.steps import Accepted, Asking, Miss


def ask(q: Asking) -> Question:
    options = tuple(Option(opt, q.text(opt)) for opt in q.step.options)
    return Question("language" if q.step.save == "language" else "choice", q.seq, options)


def accept(q: Asking, inbound: Inbound) -> Accepted | Miss:
    opts = q.step.options
    if inbound.kind == "button":
        if len(inbound.picks) == 1 and 0 <= inbound.picks[0] < len(opts):
            label = q.text(opts[inbound.picks[0]])
            return Accepted(opts[inbound.picks[0]], label, (label,))
        return Miss("reprompt-choice", {"max": len(opts)})
    idx = replies.choice(inbound.text, q.labels_everywhere())
    if idx is None:
        return Miss("reprompt-choice", {"max": len(opts)})
    return Accepted(opts[idx], inbound.text, (q.text(opts[idx]),))

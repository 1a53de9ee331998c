"""`scale`: a number in a range with labelled ends (`<flow>-<step>-low` / `-high`).

- id: useful
  type: scale
  range: [1, 5]
"""

from __future__ import annotations

from bot.engine import replies
from bot.engine.io import Inbound, Option, Question
from bot.engine.steps import Accepted, Asking, Miss


def _range(q: Asking) -> tuple[int, int]:
    assert q.step.range is not None  # the schema requires it for scale steps
    return q.step.range


def ask(q: Asking) -> Question:
    low, high = _range(q)
    options = tuple(Option(str(n), str(n)) for n in range(low, high + 1))
    hint = q.tr(q.lang, "scale-hint", min=low, max=high, low=q.text("low"), high=q.text("high"))
    return Question("scale", q.seq, options, hint=hint)


def accept(q: Asking, inbound: Inbound) -> Accepted | Miss:
    low, high = _range(q)
    if inbound.kind == "button":
        n = low + inbound.picks[0] if len(inbound.picks) == 1 else None
    else:
        n = replies.scale(inbound.text, low, high)
    if n is None or not low <= n <= high:
        return Miss("reprompt-scale", {"min": low, "max": high})
    return Accepted(str(n), inbound.text or str(n), (str(n),))

"""`multi`: pick up to `max` options, e.g. "1 3" (or labels, or toggle buttons + Done).

- id: priorities
  type: multi
  options: [water, health, jobs, other]
  max: 3
"""

from __future__ import annotations

from bot.engine import replies
from bot.engine.io import Inbound, Option, Question
from bot.engine.steps import Accepted, Asking, Miss


def ask(q: Asking) -> Question:
    options = tuple(Option(opt, q.text(opt)) for opt in q.step.options)
    hint = q.tr(q.lang, "multi-hint", max=q.step.multi_max)
    return Question("multi", q.seq, options, max_choices=q.step.multi_max, hint=hint)


def accept(q: Asking, inbound: Inbound) -> Accepted | Miss:
    opts = q.step.options
    miss = Miss("reprompt-multi", {"max": q.step.multi_max, "count": len(opts)})
    if inbound.kind == "button":
        picks: tuple[int, ...] | None = inbound.picks
        if not picks or len(picks) > q.step.multi_max or any(not 0 <= i < len(opts) for i in picks):
            return miss
        raw = ", ".join(q.text(opts[i]) for i in picks)
    else:
        picks = replies.multi(inbound.text, q.labels_everywhere())
        raw = inbound.text
    if picks is None:
        return miss
    if len(picks) > q.step.multi_max:
        return Miss("reprompt-too-many", {"max": q.step.multi_max, "count": len(picks)})
    return Accepted(" ".join(opts[i] for i in picks), raw, tuple(q.text(opts[i]) for i in picks))

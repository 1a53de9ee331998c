"""`yesno` and `consent`: yes/no/oui/non/sí/y/n, or 1 (yes) / 2 (no).

- id: more
  type: yesno
  goto: {no: thanks}
"""

from __future__ import annotations

from bot.engine import replies
from bot.engine.io import Inbound, Option, Question
from bot.engine.steps import Accepted, Asking, Miss


def ask(q: Asking) -> Question:
    options = (Option("yes", q.tr(q.lang, "yes")), Option("no", q.tr(q.lang, "no")))
    return Question("consent" if q.step.type == "consent" else "yesno", q.seq, options)


def accept(q: Asking, inbound: Inbound) -> Accepted | Miss:
    if inbound.kind == "button":
        said = {0: True, 1: False}.get(inbound.picks[0]) if len(inbound.picks) == 1 else None
    else:
        said = replies.yes_no(inbound.text)
        if said is None:
            idx = replies.match_label(
                inbound.text, [[q.tr(lang, w) for lang in q.flow.languages] for w in ("yes", "no")]
            )
            said = None if idx is None else idx == 0
    if said is None:
        return Miss("reprompt-yesno")
    value = "yes" if said else "no"
    return Accepted(value, inbound.text or value, (q.tr(q.lang, value),))

"""`multi`: pick up to `max` options, e.g. "1 3" (or labels, or toggle buttons + Done).

- id: priorities
  type: multi
  options: [water, health, jobs, other]
  max: 3
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from bot.engine import replies
from bot.engine.io import Inbound, Option, Question
from bot.engine.steps.base import Accepted, Asking, Miss, OptionsStep


class MultiStep(OptionsStep):
    type: Literal["multi"]
    max: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _max(self) -> MultiStep:
        if self.max is not None and self.max > len(self.options):
            raise ValueError("max is larger than the number of options")
        return self

    @property
    def most(self) -> int:
        return self.max or len(self.options)

    def ask(self, q: Asking) -> Question:
        options = tuple(Option(opt, q.text(opt)) for opt in self.options)
        hint = q.tr(q.lang, "multi-hint", max=self.most)
        return Question("multi", q.seq, options, max_choices=self.most, hint=hint)

    def accept(self, q: Asking, inbound: Inbound) -> Accepted | Miss:
        opts = self.options
        miss = Miss("reprompt-multi", {"max": self.most, "count": len(opts)})
        if inbound.kind == "button":
            picks: tuple[int, ...] | None = inbound.picks
            if not picks or len(picks) > self.most or any(not 0 <= i < len(opts) for i in picks):
                return miss
            raw = ", ".join(q.text(opts[i]) for i in picks)
        else:
            picks = replies.multi(inbound.text, q.labels_everywhere(), q.tr.lexicon)
            raw = inbound.text
        if picks is None:
            return miss
        if len(picks) > self.most:
            return Miss("reprompt-too-many", {"max": self.most, "count": len(picks)})
        labels = tuple(q.text(opts[i]) for i in picks)
        return Accepted(" ".join(opts[i] for i in picks), raw, labels)

"""`scale`: a number in a range with labelled ends (`<flow>-<step>-low` / `-high`).

- id: useful
  type: scale
  range: [1, 5]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import model_validator

from bot.engine import replies
from bot.engine.io import Inbound, Option, Question
from bot.engine.steps.base import Accepted, Asking, Miss, StepBase


class ScaleStep(StepBase):
    type: Literal["scale"]
    range: tuple[int, int]

    @model_validator(mode="after")
    def _range(self) -> ScaleStep:
        low, high = self.range
        if not 0 <= low < high <= 10:
            raise ValueError("range must be two whole numbers 0-10, low < high")
        return self

    def texts(self, flow_id: str) -> Iterator[str]:
        yield from super().texts(flow_id)
        yield f"{flow_id}-{self.id}-low"
        yield f"{flow_id}-{self.id}-high"

    def answer_values(self) -> tuple[str, ...]:
        return tuple(str(n) for n in range(self.range[0], self.range[1] + 1))

    def ask(self, q: Asking) -> Question:
        low, high = self.range
        options = tuple(Option(str(n), str(n)) for n in range(low, high + 1))
        hint = q.tr(q.lang, "scale-hint", min=low, max=high, low=q.text("low"), high=q.text("high"))
        return Question("scale", q.seq, options, hint=hint)

    def accept(self, q: Asking, inbound: Inbound) -> Accepted | Miss:
        low, high = self.range
        if inbound.kind == "button":
            n = low + inbound.picks[0] if len(inbound.picks) == 1 else None
        else:
            n = replies.scale(inbound.text, low, high, q.tr.lexicon)
        if n is None or not low <= n <= high:
            return Miss("reprompt-scale", {"min": low, "max": high})
        return Accepted(str(n), inbound.text or str(n), (str(n),))

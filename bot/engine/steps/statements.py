"""`statements`: says its text, then asks the person to agree, disagree or pass on
`count` statements they have not voted on (the least voted first), one at a time, before
the flow goes on. Statements come from facilitators (`/statement`) and from participants
(`propose` steps, IDEA), once approved.

- id: discuss
  type: statements
  count: 5
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from bot.engine.state import Item
from bot.engine.steps.base import StepBase


class StatementsStep(StepBase):
    type: Literal["statements"]
    count: int = Field(default=5, ge=1, le=20)
    asks: ClassVar[bool] = False

    def agenda(self, statements: tuple[int, ...]) -> tuple[Item, ...]:
        return tuple(Item("statement", sid) for sid in statements[: self.count])

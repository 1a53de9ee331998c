"""`end`: says its text and ends the flow (the flow's `next`, if any, follows).

- id: thanks
  type: end
"""

from __future__ import annotations

from typing import ClassVar, Literal

from bot.engine.steps.base import StepBase


class EndStep(StepBase):
    type: Literal["end"]
    asks: ClassVar[bool] = False
    ends: ClassVar[bool] = True

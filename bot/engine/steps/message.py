"""`message`: says its text and moves on to the next step.

- id: welcome
  type: message
"""

from __future__ import annotations

from typing import ClassVar, Literal

from bot.engine.steps.base import StepBase


class MessageStep(StepBase):
    type: Literal["message"]
    asks: ClassVar[bool] = False

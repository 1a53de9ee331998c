"""`consent`: a yes/no gate. Nothing is stored before "yes"; "no" says
`<flow>-<step>-declined` and ends the flow. `baraza check` refuses a dialogue that could
store an answer before one.

- id: consent
  type: consent
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, Literal

from bot.engine.steps.yesno import YesNoStep


class ConsentStep(YesNoStep):
    type: Literal["consent"]  # type: ignore[assignment]
    gives_consent: ClassVar[bool] = True
    question_kind: ClassVar[Literal["yesno", "consent"]] = "consent"

    def texts(self, flow_id: str) -> Iterator[str]:
        yield from super().texts(flow_id)
        yield f"{flow_id}-{self.id}-declined"

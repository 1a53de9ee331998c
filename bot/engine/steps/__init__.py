"""One small module per kind of question: how it is asked and how a reply is accepted.

Each module has `ask(q) -> Question` and `accept(q, inbound) -> Accepted | Miss`.
`message` and `end` steps ask nothing and live in `advance`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.engine.io import Inbound, Question
from bot.flows import Flow, Step
from bot.i18n import Translator


@dataclass(frozen=True)
class Asking:
    """A step being asked, in a language, with the question counter."""

    tr: Translator
    flow: Flow
    step: Step
    lang: str
    seq: int

    def text(self, suffix: str = "") -> str:
        msg_id = f"{self.flow.id}-{self.step.id}" + (f"-{suffix}" if suffix else "")
        return self.tr(self.lang, msg_id)

    def labels_everywhere(self) -> list[list[str]]:
        """Every option's label in every language of the flow, for matching replies."""
        langs = self.flow.languages
        return [
            [opt] + [self.tr(lang, f"{self.flow.id}-{self.step.id}-{opt}") for lang in langs]
            for opt in self.step.options
        ]


@dataclass(frozen=True)
class Accepted:
    value: str
    raw: str
    labels: tuple[str, ...] = ()
    """The chosen options' labels as the person saw them (a keyboard shows them)."""


@dataclass(frozen=True)
class Miss:
    """Not an answer: the re-prompt's message id and its arguments."""

    reprompt: str
    args: dict[str, str | int] = field(default_factory=dict)


Ask = Callable[[Asking], Question]
Accept = Callable[[Asking, Inbound], Accepted | Miss]


def kinds() -> dict[str, tuple[Ask, Accept]]:
    from bot.engine.steps import choice, multi, scale, text, yesno

    return {
        "choice": (choice.ask, choice.accept),
        "multi": (multi.ask, multi.accept),
        "scale": (scale.ask, scale.accept),
        "yesno": (yesno.ask, yesno.accept),
        "consent": (yesno.ask, yesno.accept),
        "text": (text.ask, text.accept),
    }

"""What every step type is: its schema (a pydantic model), its texts, and how it is asked
and answered. A step type is one module in this package defining one subclass of
`StepBase` whose `type` field is a `Literal` of its name (see `choice.py`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bot.engine.io import Inbound, Question
from bot.engine.state import Item
from bot.i18n import Translator
from bot.records import quick_init

StepId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
OptionValue = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=30)]
SaveTarget = Annotated[str, StringConstraints(pattern=r"^(language|profile\.[a-z][a-z0-9_]*)$")]
ProfileKey = Annotated[str, StringConstraints(pattern=r"^profile\.[a-z][a-z0-9_]*$")]
_UNUSED = {"options": (), "max": None, "range": None, "max_chars": 480, "save": None}
"""Fields every step had before step types were modules: flow versions stored then carry
them with these values on steps that do not have them any more."""


@quick_init
@dataclass(frozen=True)
class Asking:
    """A step being asked, in a language, with the question counter of its buttons."""

    tr: Translator
    flow_id: str
    languages: tuple[str, ...]
    step: StepBase
    lang: str
    seq: int
    version: str = ""
    """The flow's version (its content's hash): what is built once from the step's texts
    is kept per version (two versions may give the same step other options); "" keeps
    nothing."""

    def text(self, suffix: str = "") -> str:
        msg_id = f"{self.flow_id}-{self.step.id}" + (f"-{suffix}" if suffix else "")
        return self.tr(self.lang, msg_id)

    def labels_everywhere(self) -> tuple[tuple[str, ...], ...]:
        """Every option's label in every language of the flow, for matching replies."""

        def labels() -> tuple[tuple[str, ...], ...]:
            return tuple(
                (opt, *(self.tr(lang, f"{self.flow_id}-{self.step.id}-{opt}") for lang in self.languages))
                for opt in self.step.option_values()
            )

        if not self.version:
            return labels()
        key = ("labels", self.flow_id, self.version, self.step.id, *self.languages)
        return self.tr.made(key, labels)


@quick_init
@dataclass(frozen=True)
class Accepted:
    value: str
    raw: str
    labels: tuple[str, ...] = ()
    """The chosen options' labels as the person saw them (a keyboard shows them)."""


@quick_init
@dataclass(frozen=True)
class Miss:
    """Not an answer: the re-prompt's message id and its arguments."""

    reprompt: str
    args: dict[str, str | int] = field(default_factory=dict)


class StepBase(BaseModel):
    """One step of a flow. Its texts come from Fluent: `<flow>-<step>` and whatever
    `texts()` adds (`<flow>-<step>-<option>`...)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: StepId
    type: str
    save: SaveTarget | None = None
    goto: dict[str, StepId] = Field(default_factory=dict)
    next: StepId | None = None
    when: dict[ProfileKey, tuple[str, ...]] = Field(default_factory=dict)

    asks: ClassVar[bool] = True
    """False for steps that only say their text (`message`, `end`)."""
    ends: ClassVar[bool] = False
    """The flow ends after this step's text (`end`)."""
    gives_consent: ClassVar[bool] = False
    """A yes/no gate: nothing is stored before "yes"; "no" ends the flow (`consent`)."""
    proposes: ClassVar[bool] = False
    """Its answer is also a statement proposed to the others (`propose`)."""

    @model_validator(mode="before")
    @classmethod
    def _shorthands(cls, data: Any) -> Any:
        """`when: {profile.group: government}` stands for a one-item list; YAML reads
        `no:` as False and `1:` as int, so goto keys become answer values as text; and
        fields a stored flow version gives every step, unused by this type, are dropped."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("when"), dict):
            data["when"] = {
                k: (v if isinstance(v, list | tuple) else [v]) for k, v in data["when"].items()
            }
        if isinstance(data.get("goto"), dict):
            data["goto"] = {_answer_key(k): v for k, v in data["goto"].items()}
        for name, unused in _UNUSED.items():
            if name in data and name not in cls.model_fields and data[name] in (unused, []):
                del data[name]
        return data

    @model_validator(mode="after")
    def _common(self) -> StepBase:
        if self.save is not None and not self.asks:
            raise ValueError(f"a {self.type} step has no answer to save")
        if self.save == "language" and not self.saves_language:
            raise ValueError("save: language needs a choice step")
        if self.goto and not self.answer_values():
            raise ValueError(f"goto needs an answer with values; a {self.type} step has none")
        return self

    saves_language: ClassVar[bool] = False

    # --- what the type says about itself --------------------------------------------------

    def texts(self, flow_id: str) -> Iterator[str]:
        """Every Fluent message id this step needs."""
        yield f"{flow_id}-{self.id}"

    def option_values(self) -> tuple[str, ...]:
        """The options offered (choice, multi), for labels and profile checks."""
        return ()

    def answer_values(self) -> tuple[str, ...]:
        """The values an answer can take, for goto keys."""
        return ()

    def agenda(self, statements: tuple[int, ...]) -> tuple[Item, ...]:
        """Items this step puts on the person's agenda when the flow reaches it (asked
        before the flow goes on): `statements` are the ones they have not voted on."""
        return ()

    # --- asking and answering -------------------------------------------------------------

    def ask(self, q: Asking) -> Question:
        raise NotImplementedError(f"a {self.type} step asks nothing")

    def accept(self, q: Asking, inbound: Inbound) -> Accepted | Miss:
        raise NotImplementedError(f"a {self.type} step takes no answer")


class OptionsStep(StepBase):
    """A step with numbered options (`choice`, `multi`)."""

    options: tuple[OptionValue, ...] = ()

    @model_validator(mode="after")
    def _options(self) -> OptionsStep:
        if len(self.options) < 2:
            raise ValueError(f"a {self.type} step needs at least two options")
        if len(set(self.options)) != len(self.options):
            raise ValueError("options repeat")
        if len(self.options) > 20:
            raise ValueError("at most 20 options")
        return self

    def texts(self, flow_id: str) -> Iterator[str]:
        yield from super().texts(flow_id)
        for opt in self.options:
            yield f"{flow_id}-{self.id}-{opt}"

    def option_values(self) -> tuple[str, ...]:
        return self.options


def _answer_key(key: Any) -> str:
    if key is True:
        return "yes"
    if key is False:
        return "no"
    return str(key)

"""Dialogue processes: `flows/dialogues/<code>.yaml`.

One Baraza serves several dialogues. Each has a code (for `/start <code>` and
`JOIN <code>`), a title per language, its flow sequence, its languages, its session dates,
its stakeholder targets (from the stakeholder mapping done before the dialogue) and its
quiet hours, when no bulk message goes out.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from bot.flows import Lang, Problem

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,30}$")]


class Session(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    at: datetime
    title: str = ""


class QuietHours(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: time = time(21, 0)
    end: time = time(7, 0)

    def contains(self, local: time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


class Dialogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    title: dict[Lang, str]
    flows: tuple[str, ...] = Field(min_length=1)
    languages: tuple[Lang, ...] = ("en", "fr", "es")
    timezone: str = "UTC"
    sessions: tuple[Session, ...] = ()
    reminder_hours: float = Field(default=24, ge=0)
    """How long before each session its reminder goes out."""
    targets: dict[str, float] = Field(default_factory=dict)
    """Expected share of participants per stakeholder group (profile.group), 0-1."""
    target_total: int = Field(default=0, ge=0)
    """How many participants the dialogue expects in all (turns shares into counts)."""
    quiet_hours: QuietHours | None = None
    """Local hours when bulk messages wait (none unless the dialogue file says so)."""

    @model_validator(mode="after")
    def _checks(self) -> Dialogue:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {self.timezone!r}") from exc
        if any(not 0 <= v <= 1 for v in self.targets.values()):
            raise ValueError("targets are shares between 0 and 1")
        if sum(self.targets.values()) > 1.0001:
            raise ValueError("targets add up to more than 1")
        return self

    @property
    def start_flow(self) -> str:
        return self.flows[0]

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or next(iter(self.title.values()), self.code)  # type: ignore[call-overload]

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_quiet(self, now: datetime) -> bool:
        if self.quiet_hours is None:
            return False
        return self.quiet_hours.contains(now.astimezone(self.zone()).time())

    def expected(self, group: str) -> int:
        return round(self.targets.get(group, 0) * self.target_total)


def default_dialogue(code: str, title: str, start_flow: str) -> Dialogue:
    return Dialogue(code=code, title={"en": title, "fr": title, "es": title}, flows=(start_flow,))


def load_dialogues(
    folder: Path, known_flows: set[str]
) -> tuple[dict[str, Dialogue], list[Problem]]:
    found: dict[str, Dialogue] = {}
    problems: list[Problem] = []
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.glob("*.y*ml")):
        file = str(path)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            dialogue = Dialogue.model_validate(raw)
        except yaml.YAMLError as exc:
            problems.append(Problem(file, "file", f"not valid YAML: {exc}"))
            continue
        except ValidationError as exc:
            for e in exc.errors():
                where = ".".join(str(x) for x in e["loc"]) or "dialogue"
                problems.append(Problem(file, where, e["msg"].removeprefix("Value error, ")))
            continue
        if dialogue.code != path.stem:
            problems.append(
                Problem(file, "code", f"code {dialogue.code!r} differs from the file name")
            )
        for flow_id in dialogue.flows:
            if flow_id not in known_flows:
                problems.append(Problem(file, "flows", f"unknown flow {flow_id!r}"))
        found[dialogue.code] = dialogue
    return found, problems

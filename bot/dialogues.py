"""Dialogue processes: `flows/dialogues/<code>.yaml`.

One Baraza serves several dialogues. Each has a code (for `/start <code>` and
`JOIN <code>`), a title per language, its flow sequence, its languages, its session dates,
its stakeholder targets (from the stakeholder mapping done before the dialogue) and its
quiet hours, when no bulk message goes out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
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

from bot.flows import Flow, Lang, Problem

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
    languages: tuple[Lang, ...] = ()
    """The languages it runs in; none listed: every language with texts."""
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

    def spoken(self, everything: tuple[str, ...]) -> tuple[str, ...]:
        return self.languages or everything

    @property
    def start_flow(self) -> str:
        return self.flows[0]

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or next(iter(self.title.values()), self.code)

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
    folder: Path,
    known_flows: set[str],
    *,
    flows: Mapping[str, Flow] | None = None,
    broken: Iterable[str] = (),
) -> tuple[dict[str, Dialogue], list[Problem]]:
    """Every dialogue in `folder`, with its problems. Given `flows`, the stakeholder
    targets are checked against the groups its flows ask about (`broken`: flows with
    schema errors, given with the steps that parsed)."""
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
            # the schema errors do not hide the other problems of the file
            listed = raw.get("flows") if isinstance(raw, dict) else None
            if isinstance(listed, list) and all(isinstance(f, str) for f in listed):
                problems.extend(_unknown_flows(file, listed, known_flows))
            continue
        if dialogue.code != path.stem:
            problems.append(
                Problem(file, "code", f"code {dialogue.code!r} differs from the file name")
            )
        problems.extend(_unknown_flows(file, dialogue.flows, known_flows))
        if flows is not None:
            problems.extend(target_problems(dialogue, file, flows, set(broken)))
        found[dialogue.code] = dialogue
    return found, problems


def _unknown_flows(file: str, listed: Iterable[str], known_flows: set[str]) -> list[Problem]:
    return [Problem(file, "flows", f"unknown flow {f!r}") for f in listed if f not in known_flows]


def flows_of(dialogue: Dialogue, flows: Mapping[str, Flow]) -> list[str]:
    """The dialogue's flows and every flow they hand over to (`next`), in order."""
    seen: list[str] = []
    todo = list(dialogue.flows)
    while todo:
        flow_id = todo.pop(0)
        if flow_id in seen:
            continue
        seen.append(flow_id)
        nxt = flows[flow_id].next if flow_id in flows else None
        if nxt:
            todo.append(nxt)
    return seen


def target_problems(
    dialogue: Dialogue, file: str, flows: Mapping[str, Flow], broken: Collection[str] = ()
) -> list[Problem]:
    """Stakeholder targets that no question of the dialogue's flows asks about: the
    groups are the options of the steps with `save: profile.group`. `broken` flows (with
    schema errors) count with the steps that parsed."""
    if not dialogue.targets:
        return []
    chain = flows_of(dialogue, flows)
    groups = [
        opt
        for flow_id in chain
        for step in flows[flow_id].steps
        if step.save == "profile.group"
        for opt in step.option_values()
    ]
    if any(f in broken or f not in flows for f in chain) and not groups:
        return []  # the group question may be in a step with schema errors (reported)
    if not groups:
        return [
            Problem(
                file,
                "targets",
                f"no question of its flows ({', '.join(chain)}) saves profile.group",
            )
        ]
    asked = ", ".join(dict.fromkeys(groups))
    return [
        Problem(
            file,
            f"targets.{group}",
            f"no question of its flows asks about {group!r} (profile.group options: {asked})",
        )
        for group in dialogue.targets
        if group not in groups
    ]

"""Loading and validating dialogue flow files (`flows/*.yaml`).

A flow is data: typed here with pydantic, checked for structure at load and for meaning
(gotos, reachability, profile questions) by `problems()`. Every problem is reported as
`file: step: reason` so an organiser can find it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from bot.engine.steps import StepBase, step_types
from bot.engine.steps import union as step_union
from bot.engine.steps.base import StepId

Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
"""A language code: a folder of `locales/`."""
PREFER_NOT = "prefer-not"
Step = StepBase
"""A flow's step: one of the step types in `bot/engine/steps/` (chosen by `type`)."""
if TYPE_CHECKING:
    AnyStep = StepBase
else:
    AnyStep = step_union()


@dataclass(frozen=True)
class Problem:
    file: str
    step: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.step}: {self.reason}"


class Flow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: StepId
    languages: tuple[Lang, ...] = ()
    """The languages it is offered in; none listed: every language with texts."""
    next: StepId | None = None
    steps: tuple[AnyStep, ...] = Field(min_length=1)

    def spoken(self, everything: tuple[str, ...]) -> tuple[str, ...]:
        """Its languages, given every language Baraza has texts for."""
        return self.languages or everything

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def index(self, step_id: str) -> int:
        for i, s in enumerate(self.steps):
            if s.id == step_id:
                return i
        raise KeyError(step_id)

    _version: str = PrivateAttr(default="")

    def model_post_init(self, context: Any, /) -> None:
        canon = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        self._version = hashlib.sha256(canon.encode()).hexdigest()[:16]

    @property
    def version(self) -> str:
        """A short hash of the flow's content: runs are pinned to it."""
        # read straight from pydantic's private values: every turn asks, and the
        # attribute path (`BaseModel.__getattr__`) cost 3% of a turn
        return str(self.__pydantic_private__["_version"])  # type: ignore[index]

    def message_ids(self) -> Iterator[tuple[str, str]]:
        """(step id, Fluent message id) for every text this flow needs."""
        for s in self.steps:
            for msg_id in s.texts(self.id):
                yield s.id, msg_id


def successors(flow: Flow, index: int) -> set[str]:
    """Steps that can follow step `index` (its gotos, its `next`, or the one below)."""
    step = flow.steps[index]
    out = set(step.goto.values())
    if step.ends:
        return out
    if step.next:
        out.add(step.next)
        # a goto on some answers still leaves `next` for the others
        return out
    if step.gives_consent and set(step.goto) >= {"yes"}:
        return out
    if index + 1 < len(flow.steps):
        out.add(flow.steps[index + 1].id)
    return out


def problems(flow: Flow, file: str, known_flows: Iterable[str] | None = None) -> list[Problem]:
    """Meaning checks that the schema cannot express."""
    found: list[Problem] = []
    ids = [s.id for s in flow.steps]
    seen: set[str] = set()
    for sid in ids:
        if sid in seen:
            found.append(Problem(file, sid, "step id used twice"))
        seen.add(sid)
    if Path(file).stem != flow.id:
        found.append(Problem(file, "id", f"flow id {flow.id!r} differs from the file name"))
    for step in flow.steps:
        for answer, target in step.goto.items():
            if target not in seen:
                found.append(
                    Problem(file, step.id, f"goto {answer!r} leads to unknown step {target!r}")
                )
            if answer not in step.answer_values():
                found.append(
                    Problem(file, step.id, f"goto on {answer!r}, which is not a possible answer")
                )
        if step.next and step.next not in seen:
            found.append(Problem(file, step.id, f"next leads to unknown step {step.next!r}"))
        if (
            step.save
            and step.save.startswith("profile.")
            and PREFER_NOT not in step.option_values()
        ):
            found.append(Problem(file, step.id, f"a profile question must offer {PREFER_NOT!r}"))
        if (
            step.save == "language"
            and flow.languages
            and not set(step.option_values()) <= set(flow.languages)
        ):
            found.append(Problem(file, step.id, "language options must be languages of the flow"))
    if known_flows is not None and flow.next and flow.next not in set(known_flows):
        found.append(Problem(file, "next", f"hands over to unknown flow {flow.next!r}"))
    # reachability from the first step
    reached: set[str] = set()
    todo = [flow.steps[0].id]
    while todo:
        sid = todo.pop()
        if sid in reached or sid not in seen:
            continue
        reached.add(sid)
        todo.extend(successors(flow, ids.index(sid)))
    for sid in ids:
        if sid not in reached:
            found.append(Problem(file, sid, "unreachable: no step leads here"))
    return found


def _schema_problems(err: ValidationError, raw: Any, file: str) -> list[Problem]:
    out = []
    types = step_types()
    for e in err.errors():
        loc = list(e["loc"])
        where = "flow"
        if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
            steps = raw.get("steps") if isinstance(raw, dict) else None
            item = steps[loc[1]] if isinstance(steps, list) and loc[1] < len(steps) else None
            where = (
                str(item.get("id"))
                if isinstance(item, dict) and "id" in item
                else f"step {loc[1] + 1}"
            )
            loc = loc[2:]
            if loc and loc[0] in types:  # the step type pydantic chose by `type`
                loc = loc[1:]
        elif loc:
            where = str(loc[0])
            loc = loc[1:]
        field = ".".join(str(p) for p in loc if not str(p).startswith("function-"))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "union_tag_invalid":
            field = "type"
            msg = f"unknown step type {e['ctx']['tag']!r} (known: {', '.join(types)})"
        elif e["type"] == "union_tag_not_found":
            field = "type"
            msg = f"missing (one of: {', '.join(types)})"
        out.append(Problem(file, where, f"{field}: {msg}" if field else msg))
    return out


def load_flow_file(path: Path) -> tuple[Flow | None, list[Problem]]:
    flow, _, found = read_flow_file(path)
    return flow, found


def read_flow_file(path: Path) -> tuple[Flow | None, Flow | None, list[Problem]]:
    """(flow, partial, problems). On schema errors `flow` is None and `partial` keeps the
    steps that did parse, so `baraza check` can still check their texts."""
    file = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, None, [Problem(file, "file", f"cannot read: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "file"
        return None, None, [Problem(file, where, f"not valid YAML: {getattr(exc, 'problem', exc)}")]
    if not isinstance(raw, dict):
        return (
            None,
            None,
            [Problem(file, "file", "a flow file must be a mapping with id and steps")],
        )
    try:
        flow = Flow.model_validate(raw)
    except ValidationError as err:
        return None, _partial_flow(raw, path), _schema_problems(err, raw, file)
    return flow, None, []


def _valid(adapter: TypeAdapter[Any], value: Any) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


def _partial_flow(raw: dict[str, Any], path: Path) -> Flow | None:
    """What parsed of a flow with schema errors: its id (else the file name), its
    languages, and every step that is valid on its own. Never run, only checked."""
    flow_id = _valid(TypeAdapter(StepId), raw.get("id")) or _valid(TypeAdapter(StepId), path.stem)
    if flow_id is None:
        return None
    # each step on its own, with the type Flow gives its steps
    steps_type: TypeAdapter[Any] = TypeAdapter(cast(Any, Flow.model_fields["steps"].annotation))
    items = raw.get("steps")
    steps = [
        s[0]
        for item in (items if isinstance(items, list) else [])
        if (s := _valid(steps_type, [item]))
    ]
    languages = _valid(TypeAdapter(tuple[Lang, ...]), raw.get("languages", ()))
    return Flow.model_construct(
        id=flow_id,
        languages=languages or (),
        next=_valid(TypeAdapter(StepId), raw.get("next")),
        steps=tuple(steps),
    )


@dataclass(frozen=True)
class FlowLibrary:
    """The current version of every flow, by id, with the file each came from."""

    flows: Mapping[str, Flow]
    files: Mapping[str, str]
    partial: Mapping[str, Flow] = field(default_factory=dict)
    """Flows whose files have schema errors, with the steps that parsed (for `check`)."""

    def __getitem__(self, flow_id: str) -> Flow:
        return self.flows[flow_id]

    def __contains__(self, flow_id: object) -> bool:
        return flow_id in self.flows


def flow_files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml")))
        else:
            out.append(p)
    return out


def load_library(paths: Iterable[Path]) -> tuple[FlowLibrary, list[Problem]]:
    flows: dict[str, Flow] = {}
    partial: dict[str, Flow] = {}
    files: dict[str, str] = {}
    found: list[Problem] = []
    for path in flow_files(paths):
        flow, part, errs = read_flow_file(path)
        found.extend(errs)
        loaded = flow or part
        if loaded is None:
            continue
        if loaded.id in files:
            found.append(
                Problem(
                    str(path), "id", f"flow {loaded.id!r} is also defined in {files[loaded.id]}"
                )
            )
            continue
        (flows if flow is not None else partial)[loaded.id] = loaded
        files[loaded.id] = str(path)
    # a flow with schema errors still exists: handing over to it is not a second problem
    known = files.keys()
    for fid, flow in flows.items():
        found.extend(problems(flow, files[fid], known))
    return FlowLibrary(flows, files, partial), found


def before_consent(flows: Mapping[str, Flow], start: str) -> list[tuple[str, str]]:
    """(flow, step) of every question a participant can reach, starting at flow `start`,
    before answering yes to a consent step: its answers could not be stored.

    A `save: language` step may come first (the language is kept before consent)."""
    found: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    todo: list[tuple[str, str | None]] = []
    if start in flows:
        todo.append((start, flows[start].steps[0].id))
    while todo:
        flow_id, step_id = todo.pop()
        flow = flows.get(flow_id)
        if flow is None:
            continue
        if step_id is None:  # the flow ended: its `next` follows
            if flow.next and flow.next in flows:
                todo.append((flow.next, flows[flow.next].steps[0].id))
            continue
        if (flow_id, step_id) in seen:
            continue
        seen.add((flow_id, step_id))
        try:
            index = flow.index(step_id)
        except KeyError:
            continue
        step = flow.steps[index]
        if step.gives_consent:
            continue  # past this point answers are kept (or the flow ends on "no")
        if step.asks and step.save != "language":
            found.append((flow_id, step_id))
        nexts = successors(flow, index)
        if (not nexts and not step.ends and index + 1 >= len(flow.steps)) or step.ends:
            todo.append((flow_id, None))
        todo.extend((flow_id, s) for s in nexts)
    return sorted(found)

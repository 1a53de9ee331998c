"""What the engine knows about a participant between turns (persisted by storage).

A participant's *agenda* is what they are asked, one question at a time:

- `pending`: a confirmation Baraza asked for (DELETE, LANG); while set, it is the question;
- `shown`: facilitators' prompts and polls that were shown and are still open, the last
  one current (those below it were interrupted and are asked again after it);
- the flow's current step (`run`), asked when nothing above it is open;
- `waiting`: items not shown yet, in the order they will be shown.

`tentative` lists items shown in bulk messages (a broadcast reaching someone at rest)
that may not have reached the phone yet: if the person writes before they are delivered,
the runner cancels those messages and the engine puts the items back in `waiting`, so a
reply always answers the question the person actually saw last.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

from bot.records import quick_init

Pending = Literal["delete", "language", "idea"]
ItemKind = Literal["prompt", "poll", "statement", "results", "notice", "info"]
QUESTION_ITEMS: frozenset[str] = frozenset({"prompt", "poll", "statement"})
"""Items that ask something; the others (results shared back, reminders) only inform."""


@quick_init
@dataclass(frozen=True, order=True)
class Item:
    """Something on a participant's agenda besides the flow: a prompt, a poll, the results
    of a poll shared back, or a notice (a session reminder)."""

    kind: ItemKind
    id: int

    @property
    def asks(self) -> bool:
        return self.kind in QUESTION_ITEMS

    @property
    def key(self) -> str:
        """`poll:3`: how the item is named in outbox rows and logs."""
        return f"{self.kind}:{self.id}"

    @staticmethod
    def parse(key: str) -> Item | None:
        kind, _, num = key.partition(":")
        if kind not in ("prompt", "poll", "statement", "results", "notice", "info"):
            return None
        if not num.isdigit():
            return None
        return Item(kind, int(num))  # type: ignore[arg-type]


@quick_init
@dataclass(frozen=True)
class RunState:
    """A participant's place in one flow, pinned to the flow version it started on."""

    run_no: int
    flow_id: str
    version: str
    step_id: str
    misses: int = 0
    asked: int = 0
    """The question counter the step was shown with (0: not shown yet). Its buttons stay
    valid while the step is open, also after an interruption asks it again."""


@quick_init
@dataclass(frozen=True)
class Participant:
    id: str
    language: str
    dialogue: str = ""
    language_explicit: bool = False
    consented: bool = False
    stopped: bool = False
    profile: Mapping[str, str] = field(default_factory=dict)
    run: RunState | None = None
    runs_started: int = 0
    seq: int = 0
    """Counts questions asked: a button carries it, so a tap on an old one is recognised."""
    pending: Pending | None = None
    shown: tuple[Item, ...] = ()
    waiting: tuple[Item, ...] = ()
    tentative: tuple[Item, ...] = ()
    last_seen: datetime | None = None
    """When the person last wrote (not changed by turns Baraza starts itself)."""

    def with_(self, **changes: Any) -> Participant:
        """`dataclasses.replace`, without its per-field work (a turn makes a dozen)."""
        if not changes.keys() <= _PARTICIPANT_FIELDS:
            raise TypeError(
                f"not fields of Participant: {sorted(changes.keys() - _PARTICIPANT_FIELDS)}"
            )
        new = object.__new__(Participant)
        values = new.__dict__  # a frozen dataclass: its __setattr__ refuses, its dict does not
        values.update(self.__dict__)
        values.update(changes)
        return new

    @property
    def current(self) -> Item | None:
        return self.shown[-1] if self.shown else None

    @property
    def finished(self) -> bool:
        """Went through the dialogue's flows (consented, nothing left to answer)."""
        return self.consented and self.run is None and self.runs_started > 0

    def state_json(self) -> dict[str, Any]:
        """The part stored as JSON (the rest has columns of its own)."""
        run = None
        if self.run is not None:
            r = self.run
            run = [r.run_no, r.flow_id, r.version, r.step_id, r.misses, r.asked]
        data: dict[str, Any] = {
            "run": run,
            "runs": self.runs_started,
            "seq": self.seq,
            "pending": self.pending,
        }
        for name in ("shown", "waiting", "tentative"):
            items: tuple[Item, ...] = getattr(self, name)
            if items:
                data[name] = [i.key for i in items]
        return data

    @staticmethod
    def run_from_json(data: Mapping[str, Any]) -> RunState | None:
        run = data.get("run")
        if not run:
            return None
        run_no, flow_id, version, step_id, misses, *rest = run
        asked = int(rest[0]) if rest else int(data.get("seq", 0))  # stored before the agenda
        return RunState(int(run_no), str(flow_id), str(version), str(step_id), int(misses), asked)

    @staticmethod
    def items_from_json(data: Mapping[str, Any], name: str) -> tuple[Item, ...]:
        found = (Item.parse(str(k)) for k in data.get(name) or ())
        return tuple(i for i in found if i is not None)


_PARTICIPANT_FIELDS = frozenset(f.name for f in fields(Participant))

"""What the engine knows about a participant between turns (persisted by storage)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Pending = Literal["delete", "language"]


@dataclass(frozen=True)
class RunState:
    """A participant's place in one flow, pinned to the flow version it started on."""

    run_no: int
    flow_id: str
    version: str
    step_id: str
    misses: int = 0


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
    prompt: int | None = None
    """A facilitator's prompt or poll waiting for this participant's reply."""

    def with_(self, **changes: Any) -> Participant:
        return replace(self, **changes)

    def state_json(self) -> dict[str, Any]:
        """The part stored as JSON (the rest has columns of its own)."""
        run = None
        if self.run is not None:
            r = self.run
            run = [r.run_no, r.flow_id, r.version, r.step_id, r.misses]
        return {"run": run, "runs": self.runs_started, "seq": self.seq, "pending": self.pending}

    @staticmethod
    def run_from_json(data: Mapping[str, Any]) -> RunState | None:
        run = data.get("run")
        if not run:
            return None
        run_no, flow_id, version, step_id, misses = run
        return RunState(int(run_no), str(flow_id), str(version), str(step_id), int(misses))

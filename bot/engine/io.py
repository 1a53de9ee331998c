"""What goes into a turn and what comes out of it. Channel-neutral on purpose."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.engine.state import Participant

QuestionKind = Literal["choice", "multi", "scale", "yesno", "consent", "text", "language"]
RunStatus = Literal["active", "completed", "declined", "left"]


@dataclass(frozen=True)
class Inbound:
    """One thing a participant did: typed text, a start/join, or a button tap.

    `open` is a channel session beginning (the console starting): like `start`, except
    that it never brings back a participant who sent STOP.
    """

    kind: Literal["text", "start", "open", "button"] = "text"
    text: str = ""
    code: str | None = None
    """start: the dialogue code of a deep link or JOIN, if any."""
    seq: int = 0
    """button: the question counter the button was drawn with."""
    picks: tuple[int, ...] = ()
    """button: 0-based option indexes chosen."""
    poll: int | None = None
    """button: the poll a vote button belongs to (votes are taken while the poll is open)."""
    lang_hint: str | None = None


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    """How a channel can offer the answer: numbered list, keyboard, or free text."""

    kind: QuestionKind
    seq: int
    options: tuple[Option, ...] = ()
    max_choices: int = 1
    hint: str = ""
    poll: int | None = None
    """Set when the question is a facilitator's poll: its buttons vote in that poll."""


@dataclass(frozen=True)
class Message:
    text: str
    question: Question | None = None
    force: bool = False
    """Sent even to a participant who has stopped (the STOP confirmation itself)."""
    attachment: str | None = None
    """A file to send with the text: a PNG is shown as a picture, anything else as a file."""


@dataclass(frozen=True)
class Answer:
    run_no: int
    flow_id: str
    version: str
    step_id: str
    value: str
    raw: str


@dataclass(frozen=True)
class RunRecord:
    run_no: int
    flow_id: str
    version: str
    step_id: str
    status: RunStatus


@dataclass(frozen=True)
class Prompt:
    """A facilitator's open question or poll, as one participant sees it."""

    id: int
    kind: Literal["prompt", "poll"]
    question: str
    options: tuple[str, ...] = ()
    labels: tuple[tuple[str, ...], ...] = ()
    """Each option's labels in every language, to understand typed votes."""
    closed: bool = False


@dataclass(frozen=True)
class Response:
    """An answer to a prompt or a vote in a poll (one per participant; a new one replaces it)."""

    prompt_id: int
    value: str
    raw: str


@dataclass
class Turn:
    participant: Participant
    messages: list[Message] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    runs: list[RunRecord] = field(default_factory=list)
    erase: bool = False
    changed: bool = True
    """False when the turn stored nothing (a message from a stopped participant)."""

"""What goes into a turn and what comes out of it. Channel-neutral on purpose.

Out of a turn come messages (what the person sees) and typed facts (what happened), so
that no channel ever has to read translated text back to know what the engine did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.engine.state import Item, Participant
from bot.records import quick_init

MAX_STATEMENT = 100
"""Characters in a statement: with its number and the three options it stays one SMS."""
QuestionKind = Literal["choice", "multi", "scale", "yesno", "consent", "text", "language"]
RunStatus = Literal["active", "completed", "declined", "left"]
InboundKind = Literal["text", "start", "open", "button", "deliver", "wake"]


@quick_init
@dataclass(frozen=True)
class Inbound:
    """One thing that happened to a participant.

    From the person: typed `text`; `start` (a deep link or JOIN); `open` (a channel
    session beginning, like the console starting: never brings back someone who sent
    STOP); `button` (a tap). From Baraza itself: `deliver` (a broadcast puts `item` on
    their agenda) and `wake` (time to show what waits, if they are at rest).
    """

    kind: InboundKind = "text"
    text: str = ""
    code: str | None = None
    """start: the dialogue code of a deep link or JOIN, if any."""
    seq: int = 0
    """button: the question counter the button was drawn with."""
    picks: tuple[int, ...] = ()
    """button: 0-based option indexes chosen."""
    item: Item | None = None
    """button: the poll a vote button belongs to, or the item a Skip button skips;
    deliver: the item delivered."""
    skip: bool = False
    """button: the Skip button of `item`."""
    urgent: bool = False
    """deliver: the facilitator marked it urgent: it comes first, even mid-question."""
    lang_hint: str | None = None

    @property
    def from_person(self) -> bool:
        return self.kind not in ("deliver", "wake")


@quick_init
@dataclass(frozen=True)
class Option:
    value: str
    label: str


@quick_init
@dataclass(frozen=True)
class Asks:
    """What a question asks, so an answer can be traced to the question it answers:
    `step` (ref `run_no:flow:step`), `poll` / `prompt` (ref the id), `language`, `delete`."""

    kind: Literal["step", "poll", "prompt", "statement", "language", "delete", "idea"]
    ref: str = ""


@quick_init
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
    statement: int | None = None
    """Set when the question is a statement: its buttons agree, disagree or pass."""
    asks: Asks | None = None
    skip: Item | None = None
    """A prompt or poll that SKIP (or a Skip button) passes."""

    def numbered(self, seq: int, asks: Asks) -> Question:
        """This question asked with counter `seq`, for `asks` (`dataclasses.replace`
        without its per-field work: a step's question is built once, numbered each turn)."""
        return Question(
            self.kind, seq, self.options, self.max_choices, self.hint, self.poll,
            self.statement, asks, self.skip,
        )  # fmt: skip


@quick_init
@dataclass(frozen=True)
class Figure:
    """One option of a poll's results as shown: `text` is the count or `<5`; `share` is
    set only where it reveals nothing (see `bot.cells`)."""

    label: str
    text: str
    share: float | None = None


@quick_init
@dataclass(frozen=True)
class Results:
    """A poll's results as participants see them (already through the small-cell rule)."""

    header: str
    figures: tuple[Figure, ...] = ()


@quick_init
@dataclass(frozen=True)
class Message:
    text: str
    question: Question | None = None
    force: bool = False
    """Sent even to a participant who has stopped (answers to STOP, MYDATA, DELETE)."""
    attachment: str | None = None
    """A file to send with the text: a PNG is shown as a picture, anything else as a file."""
    results: Results | None = None
    """Poll results, drawn by the channel (bars where it can) below `text`."""
    item: Item | None = None
    """The agenda item this message shows (or that caused it): bulk messages carry it so
    that undelivered ones can be taken back when the person writes first."""


@quick_init
@dataclass(frozen=True)
class Answer:
    run_no: int
    flow_id: str
    version: str
    step_id: str
    value: str
    raw: str

    @property
    def asks(self) -> Asks:
        return Asks("step", f"{self.run_no}:{self.flow_id}:{self.step_id}")


@quick_init
@dataclass(frozen=True)
class RunRecord:
    run_no: int
    flow_id: str
    version: str
    step_id: str
    status: RunStatus


@quick_init
@dataclass(frozen=True)
class Response:
    """An answer to a prompt or a vote in a poll (one per participant; a new vote
    replaces the old while the poll is open)."""

    prompt_id: int
    """The prompt, poll or statement answered."""
    kind: Literal["prompt", "poll", "statement"]
    value: str
    """A prompt's answer; a poll's option (0-based); a statement's vote (1, -1 or 0)."""
    raw: str

    @property
    def asks(self) -> Asks:
        return Asks(self.kind, str(self.prompt_id))


# --- facts: what happened, typed, for channels (keyboards) and tests ----------------------


@quick_init
@dataclass(frozen=True)
class Recorded:
    """An answer or vote was taken: `labels` are the options chosen, as shown."""

    asks: Asks
    labels: tuple[str, ...] = ()


@quick_init
@dataclass(frozen=True)
class Refused:
    """A tap or reply was not taken: `closed` (an old question, a closed poll, someone
    outside the poll), `invalid` (asked again), `skipped` (passed with SKIP)."""

    reason: Literal["closed", "invalid", "skipped"]


Fact = Recorded | Refused


@quick_init
@dataclass(frozen=True)
class PollView:
    """A facilitator's poll as the engine needs it: texts in every language, and whether
    this participant may vote in it now."""

    id: int
    questions: Mapping[str, str]
    options: Mapping[str, tuple[str, ...]]
    open: bool
    eligible: bool
    """The participant is in the poll's audience (its dialogue and `--to` group)."""
    vote: int | None = None
    """The participant's current vote (0-based), when known."""

    def question(self, lang: str) -> str:
        return self.questions.get(lang) or next(iter(self.questions.values()))

    def labels(self, lang: str) -> tuple[str, ...]:
        return self.options.get(lang) or next(iter(self.options.values()))

    def all_labels(self) -> list[list[str]]:
        """Each option's labels in every language, to understand typed votes."""
        count = len(next(iter(self.options.values())))
        return [sorted({opts[i] for opts in self.options.values()}) for i in range(count)]


@quick_init
@dataclass(frozen=True)
class PromptView:
    id: int
    questions: Mapping[str, str]
    open: bool
    eligible: bool

    def question(self, lang: str) -> str:
        return self.questions.get(lang) or next(iter(self.questions.values()))


@quick_init
@dataclass(frozen=True)
class StatementView:
    """A statement to agree or disagree with: its text in the languages it has (the one
    it was written in, `origin`, always), and whether this participant may vote now."""

    id: int
    texts: Mapping[str, str]
    origin: str
    open: bool
    eligible: bool
    vote: int | None = None

    def text(self, lang: str) -> tuple[str, bool]:
        """The text to show in `lang`, and whether it is in `lang`."""
        if lang in self.texts:
            return self.texts[lang], True
        return self.texts.get(self.origin) or next(iter(self.texts.values())), False


@quick_init
@dataclass(frozen=True)
class Proposal:
    """A statement someone proposed (IDEA, or a `propose` step): it waits for moderation."""

    text: str
    lang: str


@quick_init
@dataclass(frozen=True)
class InfoView:
    """Something to tell, not ask: a poll's results shared back or a session reminder,
    already rendered in each language."""

    texts: Mapping[str, Message]
    live: bool = True

    def message(self, lang: str) -> Message:
        return self.texts.get(lang) or next(iter(self.texts.values()))


ItemView = PollView | PromptView | StatementView | InfoView


@dataclass
class Turn:
    participant: Participant
    messages: list[Message] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    runs: list[RunRecord] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    erase: bool = False
    changed: bool = True
    """False when the turn stored nothing (e.g. a message from a stopped participant)."""
    bulk: bool = False
    """The messages go out as bulk (behind replies, held in quiet hours): a turn Baraza
    started itself (a delivery, a wake-up)."""
    wake_at: datetime | None = None
    """When to look again: something waits on the agenda until the person is at rest."""

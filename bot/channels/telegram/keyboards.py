"""How a question looks in Telegram: inline keyboards, and the compact callback data they carry.

Callback data (at most 64 bytes, no server-side state):

- ``a:<seq>:<i>``        single answer: option ``i`` of the question drawn with counter ``seq``
- ``m:<seq>:<mask>:<i>`` multi: toggle option ``i``; ``mask`` is what the keyboard shows selected
- ``d:<seq>:<mask>``     multi: Done, send the selected options
- ``p:<poll>:<i>``       a vote for option ``i`` of a facilitator's poll (may be changed)
- ``s:<id>:<i>``         agree (0), disagree (1) or pass (2) on statement ``id`` (may be changed)
- ``x``                  a button that only says "closed" (what was chosen, once answered)

A multi question is toggled in place (the keyboard is edited, no turn runs); only Done goes
to the engine. The labels needed to redraw it are read back from the keyboard itself.
After a tap's turn, `after` reads the engine's typed facts (never its text) to decide what
the keyboard becomes: the choice made, a vote marked, or nothing left to press.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.text import bars
from bot.engine.io import Fact, Message, Question, Recorded

CLOSED = "x"
CHECK = "✅ "
DONE = "✔"
MAX_CALLBACK_BYTES = 64
_IN_ONE_ROW = frozenset({"yesno", "consent", "scale"})


@dataclass(frozen=True)
class Tap:
    """A parsed button press."""

    kind: Literal["answer", "toggle", "done", "vote", "stance", "closed"]
    seq: int = 0
    """The question counter (a vote: the poll id; a stance: the statement id)."""
    index: int = 0
    mask: int = 0

    @property
    def picks(self) -> tuple[int, ...]:
        """What goes to the engine: the option tapped, or the options selected at Done."""
        if self.kind in ("answer", "vote", "stance"):
            return (self.index,)
        return tuple(i for i in range(self.mask.bit_length()) if self.mask >> i & 1)


def parse(data: str | None) -> Tap | None:
    """The tap a callback's data stands for, or None if it is not ours (or garbled)."""
    if data == CLOSED:
        return Tap("closed")
    parts = (data or "").split(":")
    try:
        numbers = [int(p) for p in parts[1:]]
    except ValueError:
        return None
    if any(n < 0 for n in numbers):
        return None
    match parts[0], numbers:
        case "a", [seq, index]:
            return Tap("answer", seq, index)
        case "m", [seq, mask, index] if index < 64:
            return Tap("toggle", seq, index, mask)
        case "d", [seq, mask]:
            return Tap("done", seq, mask=mask)
        case "p", [poll, index]:
            return Tap("vote", poll, index)
        case "s", [statement, index] if index < 3:
            return Tap("stance", statement, index)
    return None


def answer_data(seq: int, index: int) -> str:
    return f"a:{seq}:{index}"


def toggle_data(seq: int, mask: int, index: int) -> str:
    return f"m:{seq}:{mask}:{index}"


def done_data(seq: int, mask: int) -> str:
    return f"d:{seq}:{mask}"


def vote_data(poll: int, index: int) -> str:
    return f"p:{poll}:{index}"


def stance_data(statement: int, index: int) -> str:
    return f"s:{statement}:{index}"


def render(message: Message) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and keyboard a message is sent with.

    Choice and language questions get one button per row; yes/no, consent and scales one
    row. A question's hint (multi: "up to 3", scale: what the ends mean) is the last line.
    Open questions and plain messages have no keyboard: the person types.
    """
    text = message.text
    if message.results is not None:
        text = "\n".join([text, *bars(message.results)])
    q = message.question
    if q is not None and q.hint:
        text = f"{text}\n{q.hint}"
    if q is None or q.kind == "text":
        return text, None
    if q.kind == "multi":
        return text, multi_keyboard(q.seq, 0, [o.label for o in q.options])
    if q.poll is not None:
        return text, poll_keyboard(q.poll, [o.label for o in q.options])
    if q.statement is not None:
        return text, statement_keyboard(q.statement, [o.label for o in q.options])
    return text, single_keyboard(q)


def single_keyboard(q: Question) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(o.label, callback_data=answer_data(q.seq, i))
        for i, o in enumerate(q.options)
    ]
    rows = [buttons] if q.kind in _IN_ONE_ROW else [[b] for b in buttons]
    return InlineKeyboardMarkup(rows)


def multi_keyboard(seq: int, mask: int, labels: Sequence[str]) -> InlineKeyboardMarkup:
    """One toggle per row (selected ones marked), then Done with the number selected."""
    rows = [
        [
            InlineKeyboardButton(
                (CHECK if mask >> i & 1 else "") + label,
                callback_data=toggle_data(seq, mask, i),
            )
        ]
        for i, label in enumerate(labels)
    ]
    count = mask.bit_count()
    done = f"{DONE} ({count})" if count else DONE
    rows.append([InlineKeyboardButton(done, callback_data=done_data(seq, mask))])
    return InlineKeyboardMarkup(rows)


def poll_keyboard(
    poll: int, labels: Sequence[str], chosen: int | None = None
) -> InlineKeyboardMarkup:
    """One option per row; the vote cast is marked, and can still be changed."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    (CHECK if i == chosen else "") + label, callback_data=vote_data(poll, i)
                )
            ]
            for i, label in enumerate(labels)
        ]
    )


def statement_keyboard(
    statement: int, labels: Sequence[str], chosen: int | None = None
) -> InlineKeyboardMarkup:
    """Agree, disagree, pass in one row; the stance taken is marked, and can be changed."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    (CHECK if i == chosen else "") + label,
                    callback_data=stance_data(statement, i),
                )
                for i, label in enumerate(labels)
            ]
        ]
    )


def voted(markup: InlineKeyboardMarkup | None, tap: Tap) -> InlineKeyboardMarkup | None:
    """The poll's or statement's keyboard with `tap`'s option marked (None if the keyboard
    is not that poll's or statement's)."""
    kind: Literal["vote", "stance"] = "stance" if tap.kind == "stance" else "vote"
    labels = labels_of(markup, kind, tap.seq)
    if labels is None or tap.index >= len(labels):
        return None
    if kind == "stance":
        return statement_keyboard(tap.seq, labels, tap.index)
    return poll_keyboard(tap.seq, labels, tap.index)


def toggled(markup: InlineKeyboardMarkup | None, tap: Tap) -> InlineKeyboardMarkup | None:
    """The multi keyboard after a toggle (None if the keyboard is not a multi of `tap.seq`).

    The button carries the selection it was drawn with, so two quick taps on one button
    (before the keyboard is redrawn) select it once rather than undoing each other; the
    labels are read back from the current keyboard.
    """
    labels = labels_of(markup, "toggle", tap.seq)
    if labels is None or tap.index >= len(labels):
        return None
    return multi_keyboard(tap.seq, tap.mask ^ (1 << tap.index), labels)


def labels_of(
    markup: InlineKeyboardMarkup | None, kind: Literal["toggle", "vote", "stance"], seq: int
) -> list[str] | None:
    """The option labels of a multi (`toggle`), poll (`vote`) or statement (`stance`)
    keyboard, in order, marks
    removed; None if `markup` is not such a keyboard for `seq`."""
    found: dict[int, str] = {}
    for button in _buttons(markup):
        tap = parse(button.callback_data if isinstance(button.callback_data, str) else None)
        if tap is not None and tap.kind == kind and tap.seq == seq:
            found[tap.index] = button.text.removeprefix(CHECK)
    if not found or sorted(found) != list(range(len(found))):
        return None
    return [found[i] for i in range(len(found))]


def label_of(markup: InlineKeyboardMarkup | None, data: str) -> str | None:
    """The text of the button carrying `data`."""
    for button in _buttons(markup):
        if button.callback_data == data:
            return str(button.text)
    return None


def chosen_keyboard(labels: Sequence[str]) -> InlineKeyboardMarkup | None:
    """What replaces an answered keyboard: the choice(s), marked, answering "closed"
    (None, no keyboard at all, if the labels are not known)."""
    if not labels:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(CHECK + label, callback_data=CLOSED)] for label in labels]
    )


def _buttons(markup: InlineKeyboardMarkup | None) -> list[InlineKeyboardButton]:
    if markup is None:
        return []
    return [button for row in markup.inline_keyboard for button in row]


@dataclass(frozen=True)
class Redraw:
    """Replace a keyboard with `markup` (None: no keyboard at all)."""

    markup: InlineKeyboardMarkup | None


def after(
    tap: Tap, markup: InlineKeyboardMarkup | None, facts: Sequence[Fact] | None, answered: bool
) -> Redraw | None:
    """What the keyboard a tap was on becomes once its turn is done (None: as it is).

    `facts` are the turn's (None: no engine turn, e.g. the person is unknown); `answered`:
    the turn said something back. A recorded vote marks the option (it can still be
    changed); a recorded answer leaves only the choice, marked; a tap that was refused
    (a closed question, asked again with fresh buttons) takes the buttons away.
    """
    if facts is None:
        return Redraw(None) if answered else None  # a tap nobody can answer now
    recorded = next((f for f in facts if isinstance(f, Recorded)), None)
    if recorded is None:
        return Redraw(None)
    if tap.kind in ("vote", "stance"):
        marked = voted(markup, tap)
        return Redraw(marked) if marked is not None else None
    return Redraw(chosen_keyboard(list(recorded.labels)))

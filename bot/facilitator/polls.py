"""`/close [ID]` and `/results [ID]`, and finding the poll a command names: the latest
without an id; a wrong id is refused with the polls that exist."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot import cells
from bot.agenda_views import poll_table
from bot.engine.io import Message
from bot.facilitator import broadcast
from bot.facilitator.call import Call, people
from bot.facilitator.parse import UsageError, number
from storage import prompts
from storage.prompts import PromptRow

LISTED = 10
"""How many poll ids an answer lists at most (the latest)."""


def listing(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[-LISTED:])
    return shown if len(ids) <= LISTED else "..., " + shown


def find(call: Call, kinds: Collection[str] = ("poll",)) -> PromptRow:
    """The poll (or prompt, where `kinds` allows) the command names, in the dialogue."""
    wanted = number(call.cmd.body, call.cmd.name)
    d = call.dialogue
    if wanted is None:
        row = prompts.latest(call.conn, d.code, "poll")
        if row is None:
            raise UsageError("fac-no-poll-yet", dialogue=d.title_in(call.lang))
        return row
    row = prompts.get(call.conn, wanted)
    if row is None or row.dialogue != d.code or row.kind not in kinds:
        ids = prompts.numbers(call.conn, d.code, "poll")
        key = "fac-not-a-poll" if row is not None and row.dialogue == d.code else "fac-unknown-poll"
        raise UsageError(
            key, id=wanted, dialogue=d.title_in(call.lang), count=len(ids), polls=listing(ids)
        )
    return row


def votes(call: Call, row: PromptRow) -> cells.Line:
    found = prompts.votes_by_group(call.conn, row.id)
    return poll_table(found, len(row.options(call.lang))).overall


def close(call: Call) -> list[Message]:
    """Close a poll or prompt now; a scheduled one will then not open."""
    row = find(call, ("poll", "prompt"))
    was_open = row.is_open(call.stamp)
    scheduled = row.sent_at is None and row.closed_at is None
    closed = (was_open or scheduled) and prompts.close(call.conn, row.id, call.stamp)
    if scheduled and closed:
        return [Message(call.t("fac-cancelled-scheduled", kind=row.kind, id=row.id))]
    if row.kind == "poll":
        figure = votes(call, row).total
    else:
        figure = cells.count(prompts.response_count(call.conn, row.id))
    key = "fac-closed" if closed else "fac-already-closed"
    when = row.closed_at or row.closes_at
    at = call.at(datetime.fromisoformat(when)) if when else ""
    return [Message(call.t(key, kind=row.kind, id=row.id, time=at, **people(figure)))]


def results(call: Call) -> list[Message]:
    row = find(call)
    shown = votes(call, row)
    labels = row.options(call.lang)
    head = call.t(
        "fac-results",
        id=row.id,
        question=str(row.text_in(call.lang)["question"]),
        state=state(call, row),
        **people(shown.total),
    )
    block = "=" if call.channel == "sms" else "█"
    return [Message("\n".join([head, *broadcast.bars(labels, shown, block)]))]


def state(call: Call, row: PromptRow) -> str:
    """open until ..., closed, or opens at ... (for a scheduled one)."""
    if row.is_open(call.stamp):
        if row.closes_at:
            return call.t(
                "fac-state-open-until", time=call.at(datetime.fromisoformat(row.closes_at))
            )
        return call.t("fac-state-open")
    if row.sent_at is None and row.closed_at is None:
        return call.t("fac-state-scheduled", time=call.at(datetime.fromisoformat(row.opens_at)))
    return call.t("fac-state-closed")

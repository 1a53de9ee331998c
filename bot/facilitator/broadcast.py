"""Putting a facilitator's prompt, poll or results on the agendas of a dialogue's
participants.

A broadcast is a row (`storage.broadcasts`) written in the facilitator's transaction; the
runner then delivers it to each participant of the audience as a `deliver` turn, a batch
per transaction, and each participant's agenda decides when they see it (at once if they
are at rest, after their current question otherwise). A crash in between loses nothing:
the broadcast carries on from its cursor.
"""

from __future__ import annotations

from bot import cells
from bot.engine.state import Item
from storage import broadcasts
from storage.conn import Conn
from storage.prompts import PromptRow

BAR_WIDTH = 10


def start(conn: Conn, item: Item, row: PromptRow, now: str, urgent: bool) -> int:
    """Queue `item` (a prompt, poll or its results) for the prompt's audience; returns how
    many it will reach."""
    broadcasts.create(conn, row.dialogue, item.key, row.target, urgent, now)
    return broadcasts.audience_size(conn, row.dialogue, row.target)


def notice(conn: Conn, dialogue: str, number: int, now: str) -> int:
    """A session reminder (notice n: the dialogue's n-th session) to everyone in it."""
    broadcasts.create(conn, dialogue, Item("notice", number).key, None, False, now)
    return broadcasts.audience_size(conn, dialogue, None)


def bars(labels: list[str], line: cells.Line, block: str = "█") -> list[str]:
    """`Water ████████ 62%` lines for an exact count, `Roads <5` for a hidden one; the
    block is `=` by SMS, where █ would cost GSM-7."""
    lines = []
    for label, cell in zip(labels, line.parts, strict=True):
        share = cell.share_of(line.total)
        if share is None:
            lines.append(f"{label} {cell.text}")
        else:
            bar = block * round(share * BAR_WIDTH)
            lines.append(f"{label} {bar} {round(share * 100)}%".replace("  ", " "))
    return lines

"""Sending a facilitator's prompt, poll or results to a dialogue's participants.

Each participant gets the text in their own language, queued as bulk behind every reply.
All rows of one broadcast are written in one transaction, so a crash leaves either the
whole broadcast queued or none of it; the sender then delivers it across restarts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime

from bot.engine.io import Message, Option, Question
from bot.i18n import Translator
from storage import audience, outbox, prompts
from storage.prompts import PromptRow

BAR_WIDTH = 10


def prompt_message(row: PromptRow, lang: str, tr: Translator) -> Message:
    seen = row.as_seen_in(lang, "")
    if seen.kind == "poll":
        options = tuple(Option(str(i), label) for i, label in enumerate(seen.options))
        return Message(seen.question, Question("choice", 0, options, poll=row.id))
    return Message(f"{seen.question}\n{tr(lang, 'prompt-reply-hint')}", Question("text", 0))


def bars(labels: list[str], counts: list[int], block: str = "█") -> list[str]:
    """`Water ████████ 62%` lines; the block is `=` for SMS, where █ would cost GSM-7."""
    total = sum(counts)
    lines = []
    for label, n in zip(labels, counts, strict=True):
        share = n / total if total else 0.0
        lines.append(
            f"{label} {block * round(share * BAR_WIDTH)} {round(share * 100)}%".replace("  ", " ")
        )
    return lines


def counts_of(row: PromptRow, tally: dict[str, int]) -> list[int]:
    n = len(row.text_in("en").get("options", []))
    return [tally.get(str(i), 0) for i in range(n)]


def results_message(
    row: PromptRow, tally: dict[str, int], lang: str, tr: Translator, channel: str
) -> Message:
    own = row.text_in(lang)
    counts = counts_of(row, tally)
    header = tr(lang, "share-header", question=str(own["question"]), votes=sum(counts))
    lines = bars([str(o) for o in own["options"]], counts, "=" if channel == "sms" else "█")
    return Message("\n".join([header, *lines]))


def _send(
    conn: sqlite3.Connection,
    row: PromptRow,
    render: Callable[[str, str], Message],
    now: datetime,
    *,
    mark_pending: bool,
) -> int:
    items: list[outbox.Bulk] = []
    for m in audience.members(conn, row.dialogue, row.target):
        items.append(
            outbox.Bulk(m.participant_id, m.channel, m.address, render(m.language, m.channel))
        )
    outbox.enqueue_bulk(conn, items, now.isoformat(), dialogue=row.dialogue, prompt_id=row.id)
    if mark_pending:
        audience.set_pending_prompt(conn, [i.participant_id for i in items], row.id)
    return len(items)


def send_prompt(conn: sqlite3.Connection, row: PromptRow, tr: Translator, now: datetime) -> int:
    reached = _send(
        conn, row, lambda lang, _ch: prompt_message(row, lang, tr), now, mark_pending=True
    )
    prompts.mark_sent(conn, row.id, reached, now.isoformat())
    return reached


def share_results(conn: sqlite3.Connection, row: PromptRow, tr: Translator, now: datetime) -> int:
    tally = prompts.tally(conn, row.id)
    count = _send(
        conn,
        row,
        lambda lang, ch: results_message(row, tally, lang, tr, ch),
        now,
        mark_pending=False,
    )
    prompts.mark_shared(conn, row.id, now.isoformat())
    return count


def remind(
    conn: sqlite3.Connection, dialogue: str, texts: Callable[[str], str], now: datetime
) -> int:
    """A session reminder to everyone in the dialogue (not tied to a prompt)."""
    items = [
        outbox.Bulk(m.participant_id, m.channel, m.address, Message(texts(m.language)))
        for m in audience.members(conn, dialogue)
    ]
    outbox.enqueue_bulk(conn, items, now.isoformat(), dialogue=dialogue)
    return len(items)

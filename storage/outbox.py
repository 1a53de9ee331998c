"""The outbox: every outbound message is a row first, then a sender drains it.

Rows are claimed one per address at a time (the head of that address's queue), so
messages to one person go out in order even across retries and restarts. Replies
(priority 0) are claimed ahead of bulk messages (priority 1).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from bot.engine.io import Message, Option, Question

REPLY, BULK = 0, 1


def to_json(message: Message) -> str:
    q = message.question
    question = None
    if q is not None:
        question = {
            "kind": q.kind,
            "seq": q.seq,
            "options": [[o.value, o.label] for o in q.options],
            "max": q.max_choices,
            "hint": q.hint,
            "poll": q.poll,
        }
    data: dict[str, Any] = {"text": message.text, "question": question}
    if message.attachment:
        data["attachment"] = message.attachment
    return json.dumps(data, ensure_ascii=False)


def from_json(payload: str) -> Message:
    data: dict[str, Any] = json.loads(payload)
    q = data.get("question")
    question = None
    if q:
        options = tuple(Option(v, label) for v, label in q["options"])
        question = Question(
            q["kind"], int(q["seq"]), options, int(q["max"]), q["hint"], q.get("poll")
        )
    return Message(data["text"], question, attachment=data.get("attachment"))


@dataclass(frozen=True)
class Outgoing:
    id: int
    participant_id: str | None
    channel: str
    address: str
    message: Message
    attempts: int
    priority: int


def enqueue(
    conn: sqlite3.Connection,
    participant_id: str | None,
    channel: str,
    address: str,
    messages: list[Message],
    now: str,
    priority: int = REPLY,
) -> None:
    conn.executemany(
        "INSERT INTO outbox (participant_id, channel, address, payload, priority, force, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (participant_id, channel, address, to_json(m), priority, int(m.force), now)
            for m in messages
        ],
    )


@dataclass(frozen=True)
class Bulk:
    """One message of a broadcast, to one participant."""

    participant_id: str
    channel: str
    address: str
    message: Message


def enqueue_bulk(
    conn: sqlite3.Connection,
    items: list[Bulk],
    now: str,
    *,
    dialogue: str,
    prompt_id: int | None = None,
    not_before: float = 0.0,
) -> None:
    """Queue a broadcast behind every reply (priority BULK), tagged with its dialogue so
    the sender can hold it during the dialogue's quiet hours."""
    conn.executemany(
        "INSERT INTO outbox (participant_id, channel, address, payload, priority, created_at,"
        " dialogue, prompt_id, not_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                b.participant_id,
                b.channel,
                b.address,
                to_json(b.message),
                BULK,
                now,
                dialogue,
                prompt_id,
                not_before,
            )
            for b in items
        ],
    )


def recover(conn: sqlite3.Connection) -> int:
    """After a crash, rows that were being sent go back to the queue (at-least-once)."""
    cur = conn.execute("UPDATE outbox SET status = 'queued' WHERE status = 'sending'")
    return cur.rowcount


def claim(
    conn: sqlite3.Connection,
    channel: str,
    now: float,
    limit: int,
    address: str | None = None,
    hold: Sequence[str] = (),
) -> list[Outgoing]:
    """Mark and return up to `limit` sendable rows: the head of each address's queue.

    The head is the address's earliest reply, else its earliest bulk message, so a reply
    to someone who just wrote overtakes a broadcast still waiting for them. An address
    with a message being sent, or still in its pause (`pacing`), has no head. Bulk rows
    of the dialogues in `hold` (in their quiet hours) wait; replies do not.
    """
    conn.execute("DELETE FROM pacing WHERE until < ?", (now - 60,))
    only = " AND o.address = ?" if address is not None else ""
    params: tuple[object, ...] = (channel, now) + ((address,) if address is not None else ())
    if hold:
        only += f" AND NOT (o.priority = 1 AND o.dialogue IN ({','.join('?' * len(hold))}))"
        params += tuple(hold)
    params += (now, limit)
    with closing(
        conn.execute(
            "SELECT o.id, o.participant_id, o.channel, o.address, o.payload, o.attempts, o.priority"
            " FROM outbox o LEFT JOIN participants p ON p.id = o.participant_id"
            " WHERE o.channel = ? AND o.status = 'queued' AND o.not_before <= ?"
            + only
            + " AND (o.force = 1 OR p.stopped_at IS NULL)"
            " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.channel = o.channel"
            "   AND e.address = o.address AND (e.status = 'sending' OR (e.status = 'queued'"
            "   AND (e.priority < o.priority OR (e.priority = o.priority AND e.id < o.id)))))"
            " AND NOT EXISTS (SELECT 1 FROM pacing g WHERE g.channel = o.channel"
            "   AND g.address = o.address AND g.until > ?)"
            " ORDER BY o.priority, o.id LIMIT ?",
            params,
        )
    ) as cur:
        rows = list(cur.fetchall())
    if rows:
        conn.executemany(
            "UPDATE outbox SET status = 'sending' WHERE id = ?", [(r["id"],) for r in rows]
        )
    return [
        Outgoing(
            r["id"],
            r["participant_id"],
            r["channel"],
            r["address"],
            from_json(r["payload"]),
            r["attempts"],
            r["priority"],
        )
        for r in rows
    ]


def next_due(conn: sqlite3.Connection, channel: str) -> float | None:
    """When the earliest queued row of a channel may be sent (None: nothing queued)."""
    with closing(
        conn.execute(
            "SELECT min(not_before) FROM outbox WHERE channel = ? AND status = 'queued'", (channel,)
        )
    ) as cur:
        row = cur.fetchone()
    return None if row is None or row[0] is None else float(row[0])


def sent(
    conn: sqlite3.Connection,
    row_id: int,
    provider_id: str | None,
    now: str,
    pace_until: float = 0,
) -> None:
    """Mark sent; the address is dropped from the row, and the address's next message
    (whenever it is queued) waits until `pace_until`."""
    if pace_until:
        conn.execute(
            "INSERT INTO pacing (channel, address, until)"
            " SELECT channel, address, ? FROM outbox WHERE id = ? AND address IS NOT NULL"
            " ON CONFLICT (channel, address) DO UPDATE SET until = excluded.until",
            (pace_until, row_id),
        )
    conn.execute(
        "UPDATE outbox SET status = 'sent', provider_id = ?, sent_at = ?, address = NULL,"
        " attempts = attempts + 1 WHERE id = ?",
        (provider_id, now, row_id),
    )


def retry(conn: sqlite3.Connection, row_id: int, not_before: float, error: str) -> None:
    conn.execute(
        "UPDATE outbox SET status = 'queued', attempts = attempts + 1, not_before = ?, error = ?"
        " WHERE id = ?",
        (not_before, error, row_id),
    )


def failed(conn: sqlite3.Connection, row_id: int, error: str) -> None:
    conn.execute(
        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ? WHERE id = ?",
        (error, row_id),
    )


def delivery(conn: sqlite3.Connection, provider_id: str, status: str, error: str | None) -> bool:
    """A provider's delivery report (e.g. Twilio's status callback). False if unknown id."""
    cur = conn.execute(
        "UPDATE outbox SET delivery = ?, error = coalesce(?, error) WHERE provider_id = ?",
        (status, error, provider_id),
    )
    return cur.rowcount > 0

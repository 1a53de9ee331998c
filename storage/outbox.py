"""The outbox: every outbound message is a row first, then a sender drains it.

Rows are claimed one per address at a time (the head of that address's queue), so
messages to one person go out in order even across retries and restarts. Replies
(priority 0) are claimed ahead of bulk messages (priority 1). A row that is done (sent,
cancelled, failed) keeps neither its text nor its address; done rows are pruned after
the retention period. A row can wait for its person to write (`wait_for_reply`): it is
claimed again once their `last_seen_at` moves on.

`not_before` is when a queued row may go; once claimed ('sending') it holds when it was
claimed, so that a row abandoned by a sender that died can be told from one still on the
wire (`recover`). On PostgreSQL claims skip rows another transaction holds.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.engine.io import Asks, Figure, Message, Option, Question, Results
from bot.engine.state import Item
from storage import grouped, jsontext
from storage.conn import Conn, PlanEachTime

log = logging.getLogger(__name__)
REPLY, BULK = 0, 1
DONE = "payload = '{}', address = NULL"
"""What a row keeps once it is done: neither the text nor the address."""


def to_json(message: Message) -> str:
    q = message.question
    data: dict[str, Any] = {"text": message.text}
    if q is not None:
        data["question"] = {
            "kind": q.kind,
            "seq": q.seq,
            "options": [[o.value, o.label] for o in q.options],
            "max": q.max_choices,
            "hint": q.hint,
            "poll": q.poll,
            "statement": q.statement,
            "asks": [q.asks.kind, q.asks.ref] if q.asks else None,
            "skip": q.skip.key if q.skip else None,
        }
    if message.attachment:
        data["attachment"] = message.attachment
    if message.results is not None:
        r = message.results
        data["results"] = [r.header, [[f.label, f.text, f.share] for f in r.figures]]
    if message.force:
        data["force"] = True
    return jsontext.dumps(data)


def from_json(payload: str) -> Message:
    data: dict[str, Any] = jsontext.loads(payload)
    q = data.get("question")
    question = None
    if q:
        options = tuple(Option(v, label) for v, label in q["options"])
        asks = Asks(*q["asks"]) if q.get("asks") else None
        skip = Item.parse(q["skip"]) if q.get("skip") else None
        question = Question(
            q["kind"],
            int(q["seq"]),
            options,
            int(q["max"]),
            q["hint"],
            poll=q.get("poll"),
            statement=q.get("statement"),
            asks=asks,
            skip=skip,
        )
    results = None
    if data.get("results"):
        header, figures = data["results"]
        results = Results(header, tuple(Figure(a, b, c) for a, b, c in figures))
    return Message(
        data["text"],
        question,
        force=bool(data.get("force")),
        attachment=data.get("attachment"),
        results=results,
    )


@dataclass(frozen=True)
class Outgoing:
    id: int
    participant_id: str | None
    channel: str
    address: str
    message: Message
    attempts: int
    priority: int
    faults: int = 0
    """Unexpected failures so far (the sender gives up after a few)."""
    seen: str | None = None
    """The participant's `last_seen_at` as stored: when they last wrote."""

    @property
    def last_seen(self) -> datetime | None:
        return datetime.fromisoformat(self.seen) if self.seen else None


def enqueue(
    conn: Conn,
    participant_id: str | None,
    channel: str,
    address: str,
    messages: list[Message],
    now: str,
    priority: int = REPLY,
    dialogue: str | None = None,
) -> None:
    """Queue messages to one address. Bulk ones (behind every reply) carry their dialogue,
    so the sender can hold them in its quiet hours, and the agenda item they show."""
    rows = [
        (
            participant_id,
            channel,
            address,
            to_json(m),
            priority,
            int(m.force),
            now,
            dialogue,
            m.item.key if m.item is not None and priority == BULK else None,
        )
        for m in messages
    ]
    grouped.insert(conn, "outbox", _ENQUEUE, rows, participant_id)


_ENQUEUE = (
    "INSERT INTO outbox (participant_id, channel, address, payload, priority, force,"
    " created_at, dialogue, item) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def take_back_unsent(conn: Conn, participant_id: str, since: str = "") -> set[str]:
    """Cancel the bulk messages showing agenda items that have not left yet; returns the
    items (`poll:3`...) the person therefore never saw: those that no bulk message which
    did leave since `since` (their last message) showed them. A poll that reached them
    and was asked again after news, that second message taken back, was seen."""
    with closing(
        conn.execute(
            f"UPDATE outbox SET status = 'cancelled', {DONE} WHERE participant_id = ?"
            " AND status = 'queued' AND priority = 1 AND item IS NOT NULL RETURNING item",
            (participant_id,),
        )
    ) as cur:
        taken = {str(r[0]) for r in cur.fetchall()}
    if taken:
        with closing(
            conn.execute(
                "SELECT DISTINCT item FROM outbox WHERE participant_id = ?"
                " AND status IN ('sending', 'sent') AND priority = 1 AND item IS NOT NULL"
                " AND created_at >= ?",
                (participant_id, since),
            )
        ) as cur:
            taken.difference_update(str(r[0]) for r in cur.fetchall())
    return taken


def recover(conn: Conn, channel: str | None = None, claimed_before: float | None = None) -> int:
    """Rows that were being sent when their sender died go back to the queue
    (at-least-once): those of `channel` (else of every channel) claimed before
    `claimed_before` (else all of them)."""
    sql = "UPDATE outbox SET status = 'queued' WHERE status = 'sending'"
    params: tuple[object, ...] = ()
    if channel is not None:
        sql += " AND channel = ?"
        params += (channel,)
    if claimed_before is not None:
        sql += " AND not_before < ?"
        params += (claimed_before,)
    cur = conn.execute(sql, params)
    return cur.rowcount


def release(conn: Conn, ids: Sequence[int]) -> int:
    """Rows a sender claimed but never handed over go back to the queue, as they were."""
    if not ids:
        return 0
    cur = conn.execute(
        f"UPDATE outbox SET status = 'queued' WHERE status = 'sending'"
        f" AND id IN ({','.join('?' * len(ids))})",
        tuple(ids),
    )
    return cur.rowcount


def claim(
    conn: Conn,
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
    of the dialogues in `hold` (in their quiet hours) wait; replies do not. A row waiting
    for its person to write goes once they have (or at its `not_before`). A row whose
    payload cannot be read is marked failed rather than claimed.
    """
    conn.execute("DELETE FROM pacing WHERE until < ?", (now - 60,))
    only = " AND o.address = ?" if address is not None else ""
    params: tuple[object, ...] = (channel, now)
    params += (address,) if address is not None else ()
    if hold:
        only += f" AND NOT (o.priority = 1 AND o.dialogue IN ({','.join('?' * len(hold))}))"
        params += tuple(hold)
    params += (now, limit, now if math.isfinite(now) else time.time())
    # The heads are picked once (MATERIALIZED): PostgreSQL may otherwise run a LIMIT ...
    # SKIP LOCKED subquery of an UPDATE again for each row it looks at, and claim every
    # head in the queue rather than `limit` of them (it did under a generic plan).
    sql = (
        "WITH picked AS MATERIALIZED ("
        " SELECT o.id FROM outbox o LEFT JOIN participants p ON p.id = o.participant_id"
        " WHERE o.channel = ? AND o.status = 'queued'"
        " AND (o.not_before <= ? OR (o.wait_seen IS NOT NULL AND p.last_seen_at <> o.wait_seen))"
        + only
        + " AND (o.force = 1 OR p.stopped_at IS NULL)"
        " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.channel = o.channel"
        "   AND e.address = o.address AND (e.status = 'sending' OR (e.status = 'queued'"
        "   AND (e.priority < o.priority OR (e.priority = o.priority AND e.id < o.id)))))"
        " AND NOT EXISTS (SELECT 1 FROM pacing g WHERE g.channel = o.channel"
        "   AND g.address = o.address AND g.until > ?)"
        " ORDER BY o.priority, o.id LIMIT ?"
        + conn.dialect.for_update("o", skip_locked=True)
        + ") UPDATE outbox SET status = 'sending', not_before = ?"
        " WHERE id IN (SELECT id FROM picked)"
        " RETURNING id, participant_id, channel, address, payload, attempts, priority, faults"
    )
    with closing(conn.execute(PlanEachTime(sql), params)) as cur:
        rows = sorted(cur.fetchall(), key=lambda r: (r[6], r[0]))
    seen = _last_seen(conn, {str(r[1]) for r in rows if r[1] is not None})
    claimed: list[Outgoing] = []
    for r in rows:
        try:
            message = from_json(r[4])
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            log.error("outbox row %d cannot be read (%r): marked failed", r[0], exc)
            conn.execute(
                f"UPDATE outbox SET status = 'failed', error = ?, {DONE} WHERE id = ?",
                (f"unreadable payload: {exc!r}"[:500], r[0]),
            )
            continue
        pid = None if r[1] is None else str(r[1])
        claimed.append(
            Outgoing(
                r[0], pid, r[2], r[3], message, r[5], r[6], r[7], seen.get(pid) if pid else None
            )
        )
    return claimed


def _last_seen(conn: Conn, participant_ids: set[str]) -> dict[str, str | None]:
    """When each of these people last wrote (RETURNING cannot read the joined table)."""
    if not participant_ids:
        return {}
    marks = ",".join("?" * len(participant_ids))
    with closing(
        conn.execute(
            f"SELECT id, last_seen_at FROM participants WHERE id IN ({marks})",
            tuple(participant_ids),
        )
    ) as cur:
        return {str(r[0]): (None if r[1] is None else str(r[1])) for r in cur.fetchall()}


def next_due(
    conn: Conn,
    channel: str,
    address: str | None = None,
    hold: Sequence[str] = (),
) -> float | None:
    """When the next row `claim` would take may go (None: none will without news: a turn
    queueing, a send finishing, the person writing). Only heads of queues count, with
    their address's pause; rows held (quiet hours, a stopped person, waiting for a reply
    until their `not_before`) do not, so an idle sender naps rather than polls."""
    sql = (
        "SELECT min(CASE WHEN g.until > o.not_before THEN g.until ELSE o.not_before END)"
        " FROM outbox o LEFT JOIN pacing g ON g.channel = o.channel AND g.address = o.address"
        " LEFT JOIN participants p ON p.id = o.participant_id"
        " WHERE o.channel = ? AND o.status = 'queued' AND (o.force = 1 OR p.stopped_at IS NULL)"
    )
    params: tuple[object, ...] = (channel,)
    if address is not None:
        sql += " AND o.address = ?"
        params += (address,)
    if hold:
        sql += f" AND NOT (o.priority = 1 AND o.dialogue IN ({','.join('?' * len(hold))}))"
        params += tuple(hold)
    sql += (
        " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.channel = o.channel"
        "   AND e.address = o.address AND (e.status = 'sending' OR (e.status = 'queued'"
        "   AND (e.priority < o.priority OR (e.priority = o.priority AND e.id < o.id)))))"
    )
    with closing(conn.execute(sql, params)) as cur:
        row = cur.fetchone()
    return None if row is None or row[0] is None else float(row[0])


def sent(
    conn: Conn,
    row_id: int,
    provider_id: str | None,
    now: str,
    pace_until: float = 0,
) -> None:
    """Mark sent; the address is dropped from the row, and the address's next message
    (whenever it is queued) waits until `pace_until`. Not after the confirmation of a
    DELETE (the one row queued for nobody and sent whatever): its pause would keep the
    erased person's address in `pacing` for a minute or more, and in the WAL after it."""
    if pace_until:
        conn.execute(
            "INSERT INTO pacing (channel, address, until)"
            " SELECT channel, address, ? FROM outbox WHERE id = ? AND address IS NOT NULL"
            " AND NOT (participant_id IS NULL AND force = 1)"
            " ON CONFLICT (channel, address) DO UPDATE SET until = excluded.until",
            (pace_until, row_id),
        )
    conn.execute(
        f"UPDATE outbox SET status = 'sent', provider_id = ?, sent_at = ?, {DONE},"
        " attempts = attempts + 1 WHERE id = ? AND status = 'sending'",
        (provider_id, now, row_id),
    )


def retry(
    conn: Conn, row_id: int, not_before: float, error: str, fault: bool = False
) -> None:
    """Back to the queue until `not_before`; `fault`: an unexpected failure, counted."""
    conn.execute(
        "UPDATE outbox SET status = 'queued', attempts = attempts + 1, not_before = ?, error = ?,"
        " faults = faults + ?, wait_seen = NULL WHERE id = ? AND status = 'sending'",
        (not_before, error, int(fault), row_id),
    )


def wait_for_reply(
    conn: Conn, row_id: int, seen: str | None, not_before: float, error: str
) -> None:
    """Back to the queue until the person writes (their `last_seen_at` is no longer
    `seen`), or until `not_before`, whichever comes first."""
    conn.execute(
        "UPDATE outbox SET status = 'queued', attempts = attempts + 1, not_before = ?, error = ?,"
        " wait_seen = ? WHERE id = ? AND status = 'sending'",
        (not_before, error, seen or "", row_id),
    )


def failed(conn: Conn, row_id: int, error: str) -> None:
    conn.execute(
        f"UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ?, {DONE}"
        " WHERE id = ? AND status = 'sending'",
        (error, row_id),
    )


def prune(conn: Conn, before: str) -> int:
    """Forget rows that are done (sent, cancelled, failed) and older than `before`."""
    cur = conn.execute(
        "DELETE FROM outbox WHERE status IN ('sent', 'cancelled', 'failed') AND created_at < ?",
        (before,),
    )
    return cur.rowcount


def delivery(conn: Conn, provider_id: str, status: str, error: str | None) -> bool:
    """A provider's delivery report (e.g. Twilio's status callback). False if unknown id."""
    cur = conn.execute(
        "UPDATE outbox SET delivery = ?, error = coalesce(?, error) WHERE provider_id = ?",
        (status, error, provider_id),
    )
    return cur.rowcount > 0

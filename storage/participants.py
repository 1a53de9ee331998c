"""Participants, their addresses and their runs. Addresses are kept in their own table."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import datetime
from typing import Any

from bot.engine.io import Answer, RunRecord
from bot.engine.state import Participant
from storage import grouped, jsontext
from storage.conn import Conn


def new_id() -> str:
    """A random pseudonymous id: nothing in it is derived from the person or address."""
    return "p" + secrets.token_hex(8)


def find(conn: Conn, channel: str, address: str, *, lock: bool = False) -> Participant | None:
    """The participant at this address. `lock`: for a turn that will change them (so
    another process's turn for the same person waits until this one commits)."""
    return finding(conn, channel, address, lock=lock)()[0]


def finding(
    conn: Conn,
    channel: str,
    address: str,
    *,
    lock: bool = False,
    facilitator: tuple[str, Sequence[str]] | None = None,
) -> Callable[[], tuple[Participant | None, bool | None]]:
    """`find`, its answer read later (call the result): on PostgreSQL the query then
    travels with the statements after it (pipeline mode). `facilitator`: (address as
    facilitators are kept, dialogues) to ask too whether they facilitate one of those
    dialogues; the answer is None when there is no participant row to ask it with."""
    ask = ""
    params: tuple[str, ...] = (channel, address)
    if facilitator is not None:
        who, dialogues = facilitator
        marks = ", ".join("?" * len(dialogues)) or "NULL"
        ask = (
            ", EXISTS (SELECT 1 FROM facilitators f WHERE f.address = ?"
            f" AND f.dialogue IN ({marks})) AS facilitates"
        )
        params = (who, *dialogues, channel, address)
    cur = conn.execute(
        f"SELECT p.*{ask} FROM addresses a JOIN participants p ON p.id = a.participant_id"
        " WHERE a.channel = ? AND a.address = ?" + (conn.dialect.for_update("p") if lock else ""),
        params,
    )

    def found() -> tuple[Participant | None, bool | None]:
        row = cur.fetchone()
        cur.close()
        if row is None:
            return None, None
        return _from_row(row), bool(row["facilitates"]) if facilitator is not None else None

    return found


def answer_count(conn: Conn, participant_id: str) -> int:
    with closing(
        conn.execute("SELECT count(*) FROM answers WHERE participant_id = ?", (participant_id,))
    ) as cur:
        row = cur.fetchone()
    return int(row[0]) if row else 0


def get(conn: Conn, participant_id: str, *, lock: bool = False) -> Participant | None:
    sql = "SELECT * FROM participants WHERE id = ?" + (conn.dialect.for_update() if lock else "")
    with closing(conn.execute(sql, (participant_id,))) as cur:
        row = cur.fetchone()
    return None if row is None else _from_row(row)


def get_many(conn: Conn, ids: Sequence[str], *, lock: bool = False) -> dict[str, Participant]:
    """Participants by id, read (and with `lock`, locked) in id order in one statement:
    two transactions locking batches this way never wait on each other in a circle."""
    if not ids:
        return {}
    sql = f"SELECT * FROM participants WHERE id IN ({','.join('?' * len(ids))}) ORDER BY id"
    with closing(
        conn.execute(sql + (conn.dialect.for_update() if lock else ""), tuple(ids))
    ) as cur:
        return {str(r["id"]): _from_row(r) for r in cur.fetchall()}


def addresses_of(conn: Conn, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """`address_of` for many participants in one statement."""
    if not ids:
        return {}
    with closing(
        conn.execute(
            "SELECT p.id, a.channel, a.address FROM participants p JOIN addresses a"
            " ON a.participant_id = p.id AND a.channel = p.channel"
            f" WHERE p.id IN ({','.join('?' * len(ids))}) ORDER BY p.id, a.created_at",
            tuple(ids),
        )
    ) as cur:
        found: dict[str, tuple[str, str]] = {}
        for pid, channel, address in cur.fetchall():
            found.setdefault(str(pid), (str(channel), str(address)))
        return found


def _from_row(row: Any) -> Participant:
    state = jsontext.loads(row["state"])
    seen = row["last_seen_at"]
    return Participant(
        id=row["id"],
        language=row["language"],
        dialogue=row["dialogue"],
        language_explicit=bool(row["language_explicit"]),
        consented=row["consented_at"] is not None,
        stopped=row["stopped_at"] is not None,
        profile=jsontext.loads(row["profile"]),
        run=Participant.run_from_json(state),
        runs_started=int(state.get("runs", 0)),
        seq=int(state.get("seq", 0)),
        pending=state.get("pending"),
        shown=Participant.items_from_json(state, "shown"),
        waiting=Participant.items_from_json(state, "waiting"),
        tentative=Participant.items_from_json(state, "tentative"),
        last_seen=datetime.fromisoformat(seen) if seen else None,
    )


def create(conn: Conn, p: Participant, channel: str, address: str, now: str) -> None:
    conn.execute(
        "INSERT INTO participants (id, dialogue, language, channel, created_at, last_seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (p.id, p.dialogue, p.language, channel, now, now),
    )
    conn.execute(
        "INSERT INTO addresses (channel, address, participant_id, created_at) VALUES (?, ?, ?, ?)",
        (channel, address, p.id, now),
    )


def save(
    conn: Conn,
    before: Participant,
    p: Participant,
    now: str,
    wake_at: datetime | None = None,
) -> None:
    """Store the participant's new state. Profile is only ever stored after consent.
    Someone who wrote is reachable again (a block is lifted by writing)."""
    wrote = p.last_seen is not None and p.last_seen != before.last_seen
    settled = before.consented == p.consented and before.dialogue == p.dialogue
    # the index on (dialogue, consented_at) is written only when one of them changes: a
    # column in the SET list moves its index entries even when its value stays the same
    conn.execute(
        "UPDATE participants SET language = ?, language_explicit = ?,"
        + (
            ""
            if settled
            else " consented_at = CASE WHEN ? THEN coalesce(consented_at, ?) END, dialogue = ?,"
        )
        + " stopped_at = CASE WHEN ? THEN coalesce(stopped_at, ?) END,"
        " unreachable_at = CASE WHEN ? THEN NULL ELSE unreachable_at END,"
        " profile = ?, state = ?, last_seen_at = coalesce(?, last_seen_at),"
        " wake_at = ? WHERE id = ?",
        (
            p.language,
            int(p.language_explicit),
            *(() if settled else (bool(p.consented), now, p.dialogue)),
            bool(p.stopped),
            now,
            bool(wrote),
            jsontext.dumps(dict(p.profile) if p.consented else {}),
            jsontext.dumps(p.state_json()),
            p.last_seen.isoformat() if p.last_seen else None,
            wake_at.isoformat() if wake_at else None,
            p.id,
        ),
    )
    if p.stopped and not before.stopped:
        # STOP is honoured everywhere at once: nothing queued for them goes out.
        cancel_queued(conn, p.id, keep_forced=True)


def cancel_queued(conn: Conn, pid: str, keep_forced: bool = False) -> None:
    """Nothing queued for them goes out; the text and address leave the rows."""
    conn.execute(
        "UPDATE outbox SET status = 'cancelled', payload = '{}', address = NULL"
        " WHERE participant_id = ? AND status = 'queued'"
        + (" AND force = 0" if keep_forced else ""),
        (pid,),
    )


def due_to_wake(conn: Conn, now: str, limit: int) -> list[str]:
    """Participants whose agenda should be looked at again (something waits)."""
    with closing(
        conn.execute(
            "SELECT id FROM participants WHERE wake_at IS NOT NULL AND wake_at <= ?"
            " ORDER BY wake_at LIMIT ?",
            (now, limit),
        )
    ) as cur:
        return [str(r[0]) for r in cur.fetchall()]


def save_runs(conn: Conn, pid: str, dialogue: str, runs: list[RunRecord], now: str) -> None:
    """Store the runs a turn started or ended (`TurnRunner._store` leaves out a current
    run's step moving on: that is in the participant's state). An `active` record is a
    run just started, or the step a run stands at: naming just step_id and updated_at
    leaves the index on (dialogue, status, ...) alone."""
    for r in runs:
        grouped.insert(
            conn,
            "runs",
            _SAVE_ACTIVE_RUN if r.status == "active" else _SAVE_RUN,
            [(pid, r.run_no, r.flow_id, r.version, r.step_id, r.status, now, now, dialogue)],
            pid,
        )


_SAVE_RUN = (
    "INSERT INTO runs (participant_id, run_no, flow_id, version, step_id, status,"
    " started_at, updated_at, dialogue) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (participant_id, run_no) DO UPDATE SET step_id = excluded.step_id,"
    " status = excluded.status, updated_at = excluded.updated_at"
)
_SAVE_ACTIVE_RUN = _SAVE_RUN.replace(" status = excluded.status,", "")


def save_answers(
    conn: Conn,
    pid: str,
    dialogue: str,
    answers: list[Answer],
    language: str,
    channel: str,
    now: str,
) -> None:
    rows = [
        (
            pid, a.run_no, a.flow_id, a.version, a.step_id, a.value, a.raw, language,
            channel, now, dialogue,
        )
        for a in answers
    ]  # fmt: skip
    grouped.insert(conn, "answers", _SAVE_ANSWER, rows, pid)


_SAVE_ANSWER = (
    "INSERT INTO answers (participant_id, run_no, flow_id, version, step_id, value, raw,"
    " language, channel, created_at, dialogue) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def erase(conn: Conn, pid: str) -> None:
    """DELETE: the participant, addresses, runs, answers, responses and queued messages
    are gone. A message on the wire right now keeps its row (detached from them, with
    neither text nor address once marked) so its result can never land on another row."""
    conn.execute("DELETE FROM outbox WHERE participant_id = ? AND status != 'sending'", (pid,))
    # the pause before their next message names their address too (`outbox.sent`)
    conn.execute(
        "DELETE FROM pacing WHERE EXISTS (SELECT 1 FROM addresses a WHERE a.participant_id = ?"
        " AND a.channel = pacing.channel AND a.address = pacing.address)",
        (pid,),
    )
    conn.execute("DELETE FROM participants WHERE id = ?", (pid,))


def mark_unreachable(conn: Conn, pid: str, now: str) -> None:
    conn.execute("UPDATE participants SET unreachable_at = ? WHERE id = ?", (now, pid))


def mark_stopped(conn: Conn, pid: str, now: str) -> None:
    """The carrier says they opted out: as if they sent STOP."""
    conn.execute(
        "UPDATE participants SET stopped_at = coalesce(stopped_at, ?), wake_at = NULL WHERE id = ?",
        (now, pid),
    )
    cancel_queued(conn, pid)


def address_of(conn: Conn, participant_id: str) -> tuple[str, str] | None:
    """(channel, address) to reach a participant: the address they joined with."""
    with closing(
        conn.execute(
            "SELECT a.channel, a.address FROM participants p JOIN addresses a"
            " ON a.participant_id = p.id AND a.channel = p.channel WHERE p.id = ?"
            " ORDER BY a.created_at LIMIT 1",
            (participant_id,),
        )
    ) as cur:
        row = cur.fetchone()
    return None if row is None else (str(row[0]), str(row[1]))

"""Participants, their addresses and their runs. Addresses are kept in their own table."""

from __future__ import annotations

import json
import secrets
import sqlite3
from contextlib import closing

from bot.engine.io import Answer, RunRecord
from bot.engine.state import Participant


def new_id() -> str:
    """A random pseudonymous id: nothing in it is derived from the person or address."""
    return "p" + secrets.token_hex(8)


def find(conn: sqlite3.Connection, channel: str, address: str) -> Participant | None:
    with closing(
        conn.execute(
            "SELECT p.* FROM addresses a JOIN participants p ON p.id = a.participant_id"
            " WHERE a.channel = ? AND a.address = ?",
            (channel, address),
        )
    ) as cur:
        row = cur.fetchone()
    if row is None:
        return None
    return _from_row(row)


def answer_count(conn: sqlite3.Connection, participant_id: str) -> int:
    with closing(
        conn.execute("SELECT count(*) FROM answers WHERE participant_id = ?", (participant_id,))
    ) as cur:
        row = cur.fetchone()
    return int(row[0]) if row else 0


def _from_row(row: sqlite3.Row) -> Participant:
    state = json.loads(row["state"])
    return Participant(
        id=row["id"],
        language=row["language"],
        dialogue=row["dialogue"],
        prompt=row["prompt"],
        language_explicit=bool(row["language_explicit"]),
        consented=row["consented_at"] is not None,
        stopped=row["stopped_at"] is not None,
        profile=json.loads(row["profile"]),
        run=Participant.run_from_json(state),
        runs_started=int(state.get("runs", 0)),
        seq=int(state.get("seq", 0)),
        pending=state.get("pending"),
    )


def create(conn: sqlite3.Connection, p: Participant, channel: str, address: str, now: str) -> None:
    conn.execute(
        "INSERT INTO participants (id, dialogue, language, channel, created_at, last_seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (p.id, p.dialogue, p.language, channel, now, now),
    )
    conn.execute(
        "INSERT INTO addresses (channel, address, participant_id, created_at) VALUES (?, ?, ?, ?)",
        (channel, address, p.id, now),
    )


def save(conn: sqlite3.Connection, before: Participant, p: Participant, now: str) -> None:
    """Store the participant's new state. Profile is only ever stored after consent."""
    conn.execute(
        "UPDATE participants SET language = ?, language_explicit = ?,"
        " consented_at = CASE WHEN ? THEN coalesce(consented_at, ?) END,"
        " stopped_at = CASE WHEN ? THEN coalesce(stopped_at, ?) END,"
        " unreachable_at = NULL, profile = ?, state = ?, last_seen_at = ?, dialogue = ?,"
        " prompt = ? WHERE id = ?",
        (
            p.language,
            int(p.language_explicit),
            int(p.consented),
            now,
            int(p.stopped),
            now,
            json.dumps(dict(p.profile) if p.consented else {}),
            json.dumps(p.state_json()),
            now,
            p.dialogue,
            p.prompt,
            p.id,
        ),
    )
    if p.stopped and not before.stopped:
        # STOP is honoured everywhere at once: nothing queued for them goes out.
        conn.execute(
            "UPDATE outbox SET status = 'cancelled' WHERE participant_id = ?"
            " AND status = 'queued' AND force = 0",
            (p.id,),
        )


def save_runs(
    conn: sqlite3.Connection, pid: str, dialogue: str, runs: list[RunRecord], now: str
) -> None:
    for r in runs:
        conn.execute(
            "INSERT INTO runs (participant_id, run_no, flow_id, version, step_id, status,"
            " started_at, updated_at, dialogue) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (participant_id, run_no) DO UPDATE SET step_id = excluded.step_id,"
            " status = excluded.status, updated_at = excluded.updated_at",
            (pid, r.run_no, r.flow_id, r.version, r.step_id, r.status, now, now, dialogue),
        )


def save_answers(
    conn: sqlite3.Connection,
    pid: str,
    answers: list[Answer],
    language: str,
    channel: str,
    now: str,
) -> None:
    conn.executemany(
        "INSERT INTO answers (participant_id, run_no, flow_id, version, step_id, value, raw,"
        " language, channel, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (pid, a.run_no, a.flow_id, a.version, a.step_id, a.value, a.raw, language, channel, now)
            for a in answers
        ],
    )


def erase(conn: sqlite3.Connection, pid: str) -> None:
    """DELETE: the participant, addresses, runs, answers and queued messages are gone."""
    conn.execute("DELETE FROM outbox WHERE participant_id = ?", (pid,))
    conn.execute("DELETE FROM participants WHERE id = ?", (pid,))


def mark_unreachable(conn: sqlite3.Connection, pid: str, now: str) -> None:
    conn.execute("UPDATE participants SET unreachable_at = ? WHERE id = ?", (now, pid))


def mark_stopped(conn: sqlite3.Connection, pid: str, now: str) -> None:
    conn.execute(
        "UPDATE participants SET stopped_at = coalesce(stopped_at, ?) WHERE id = ?", (now, pid)
    )
    conn.execute(
        "UPDATE outbox SET status = 'cancelled' WHERE participant_id = ? AND status = 'queued'",
        (pid,),
    )

"""Turns sharing a commit write their appended rows together (`storage.grouped`): that
changes nothing but speed. Same messages, sent at once or one after another, leave the
same rows; a row that cannot be written costs only its own turn."""

from __future__ import annotations

import asyncio
import itertools
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import storage.participants
from bot.config import Settings
from bot.engine.io import Inbound
from bot.runtime import open_runner
from bot.turns import Envelope, TurnRunner
from storage import grouped
from storage.conn import Conn
from tests.conftest import make_settings, shared_content
from tests.sql import rows

EXAMPLES = int(os.environ.get("BARAZA_PROPERTY_EXAMPLES", "20"))
PEOPLE = ("ana", "ben", "chi")
TEXTS = (
    "yes", "no", "1", "2", "3", "Some words here", "hello", "STOP", "START", "DELETE",
    "MYDATA", "HELP",
)  # fmt: skip

message = st.tuples(st.sampled_from(PEOPLE), st.sampled_from(TEXTS), st.booleans())
"""(who, what they type, whether the provider delivers it twice)."""


def envelopes(messages: list[tuple[str, str, bool]]) -> list[Envelope]:
    out = []
    for n, (who, text, twice) in enumerate(messages):
        e = Envelope("console", who, Inbound(text=text), f"m{n}")
        out += [e, e] if twice else [e]
    return out


def stored(s: Settings) -> dict[str, Any]:
    """What the turns left, without ids and times (participants named by address)."""
    who = dict(rows(s, "SELECT participant_id, address FROM addresses"))
    return {
        "participants": sorted(
            (who.get(p), lang, consented, stopped, state, profile)
            for p, lang, consented, stopped, state, profile in rows(
                s,
                "SELECT id, language, consented_at IS NOT NULL, stopped_at IS NOT NULL,"
                " state, profile FROM participants",
            )
        ),
        "answers": [
            (who.get(p, "?"), *rest)
            for p, *rest in rows(
                s, "SELECT participant_id, run_no, flow_id, step_id, value, raw FROM answers"
                " ORDER BY id",
            )
        ],
        "runs": sorted(
            (who.get(p, "?"), *rest)
            for p, *rest in rows(s, "SELECT participant_id, run_no, flow_id, step_id, status FROM runs")
        ),
        "outbox": [
            (who.get(p), address, named(str(payload), who), *rest)
            for p, address, payload, *rest in rows(
                s, "SELECT participant_id, address, payload, status, priority FROM outbox ORDER BY id"
            )
        ],
        "inbound": rows(s, "SELECT external_id FROM inbound ORDER BY external_id"),
    }  # fmt: skip


def named(text: str, who: dict[str, str]) -> str:
    """`text` with participant ids (random, shown by MYDATA) replaced by addresses."""
    for pid, address in who.items():
        text = text.replace(pid, f"<{address}>")
    return text


async def play(messages: list[tuple[str, str, bool]], cuts: list[int], at_once: bool) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        s = make_settings(Path(tmp))
        runner = await open_runner(s, shared_content())
        try:
            batch = envelopes(messages)
            commits = runner.db.commits
            if at_once:  # in chunks sent together: the writer batches (and groups) them
                edges = sorted({0, len(batch), *(c % (len(batch) + 1) for c in cuts)})
                for a, b in itertools.pairwise(edges):
                    await asyncio.gather(*(runner.handle(e) for e in batch[a:b]))
            else:
                for e in batch:
                    await runner.handle(e)
            shared = len(batch) - (runner.db.commits - commits)
        finally:
            await runner.db.close()
        return stored(s), shared


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    messages=st.lists(message, min_size=4, max_size=30),
    cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=4),
)
def test_turns_sent_together_store_what_they_store_one_by_one(
    messages: list[tuple[str, str, bool]], cuts: list[int]
) -> None:
    together, shared = asyncio.run(play(messages, cuts, at_once=True))
    one_by_one, _ = asyncio.run(play(messages, cuts, at_once=False))
    assert together == one_by_one
    if not cuts:
        assert shared > 0  # the turns did share commits (and their rows were grouped)


@pytest.mark.backends
async def test_a_row_that_cannot_be_written_costs_only_its_turn(
    runner: TurnRunner,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for i in range(12):
        await runner.handle(Envelope("console", f"u{i}", Inbound(kind="open")))
    bad = rows(settings, "SELECT participant_id FROM addresses WHERE address = 'u7'")[0][0]
    real = storage.participants.save_answers

    def broken_for_u7(conn: Conn, pid: str, *args: Any) -> None:
        if pid != bad:
            return real(conn, pid, *args)
        # a bug's row: NULL where the table wants a value (only found when it is written)
        sql = "INSERT INTO answers (participant_id, flow_id, step_id, value, raw, language,"
        sql += " channel, created_at) VALUES (?, 'f', 's', NULL, '', 'en', 'console', '')"
        grouped.insert(conn, "answers", sql, [(pid,)], pid)
        return None

    monkeypatch.setattr(storage.participants, "save_answers", broken_for_u7)
    commits = runner.db.commits
    out = await asyncio.gather(
        *(runner.handle(Envelope("console", f"u{i}", Inbound(text="yes"), f"y{i}")) for i in range(12)),
        return_exceptions=True,
    )  # fmt: skip
    assert [i for i, o in enumerate(out) if isinstance(o, Exception)] == [7]
    if runner.db.dialect.name == "sqlite":  # the bad row was met in a group, not alone
        assert "together failed; one by one" in caplog.text
    assert runner.db.commits - commits < 12  # they shared commits
    assert rows(settings, "SELECT count(*) FROM answers") == [(11,)]
    assert rows(settings, "SELECT count(*) FROM inbound") == [(11,)]  # u7's can come again
    queued = rows(settings, "SELECT count(DISTINCT participant_id) FROM outbox")
    assert queued == [(12,)]  # everyone's first messages; u7 got nothing from the failed turn
    monkeypatch.undo()
    await runner.handle(Envelope("console", "u7", Inbound(text="yes"), "y7"))
    assert rows(settings, "SELECT count(*) FROM answers") == [(12,)]

"""Turns in a real database (SQLite and PostgreSQL): all or nothing, once per message,
pinned flow versions."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import storage.participants
from bot.config import Settings
from bot.engine.io import Inbound
from bot.flows import Flow
from bot.runtime import Content, open_runner
from bot.turns import Envelope, TurnRunner
from tests.sql import rows

pytestmark = pytest.mark.backends


def env(address: str, text: str = "", ext: str | None = None, kind: str = "text") -> Envelope:
    return Envelope("console", address, Inbound(kind=kind, text=text), ext)  # type: ignore[arg-type]


async def test_a_turn_stores_state_answer_and_outbox_together(
    runner: TurnRunner, settings: Settings
) -> None:
    await runner.handle(env("ana", kind="open"))
    out = await runner.handle(env("ana", "yes", "m1"))
    db = settings
    pid = out.participant_id
    assert rows(db, "SELECT value FROM answers WHERE participant_id = ?", (pid,)) == [("yes",)]
    assert rows(db, "SELECT count(*) FROM inbound") == [(1,)]
    assert rows(db, "SELECT consented_at IS NOT NULL FROM participants") == [(1,)]
    queued = rows(db, "SELECT payload FROM outbox WHERE status = 'queued' ORDER BY id")
    assert "Language" in json.loads(str(queued[-1][0]))["text"]


async def test_addresses_are_kept_apart_from_answers(
    runner: TurnRunner, settings: Settings
) -> None:
    await runner.handle(env("+254700000001", kind="open"))
    await runner.handle(env("+254700000001", "yes"))
    db = settings
    for table in ("participants", "answers", "runs", "inbound"):
        dump = json.dumps(rows(db, f"SELECT * FROM {table}"))
        assert "254700000001" not in dump, table
    assert rows(db, "SELECT address FROM addresses") == [("+254700000001",)]


async def test_failure_mid_turn_leaves_nothing_half_written(
    runner: TurnRunner, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await runner.handle(env("ana", kind="open"))
    db = settings
    before = rows(db, "SELECT state, consented_at FROM participants")
    outbox_before = rows(db, "SELECT count(*) FROM outbox")

    def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(storage.participants, "save_answers", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        await runner.handle(env("ana", "yes", "m1"))
    assert rows(db, "SELECT state, consented_at FROM participants") == before
    assert rows(db, "SELECT count(*) FROM outbox") == outbox_before
    assert rows(db, "SELECT count(*) FROM inbound") == [(0,)]
    monkeypatch.undo()
    # the provider redelivers: now it applies, exactly once
    await runner.handle(env("ana", "yes", "m1"))
    assert rows(db, "SELECT count(*) FROM answers") == [(1,)]


async def test_a_failing_turn_does_not_spoil_turns_sharing_its_commit(
    runner: TurnRunner, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(20):
        await runner.handle(env(f"u{i}", kind="open"))
    real = storage.participants.save_answers

    def flaky(conn: object, pid: str, *args: object) -> None:
        if pid == first_failing:
            raise RuntimeError("boom")
        real(conn, pid, *args)  # type: ignore[arg-type]

    first_failing = rows(
        settings, "SELECT participant_id FROM addresses WHERE address='u7'"
    )[0][0]
    monkeypatch.setattr(storage.participants, "save_answers", flaky)
    commits = runner.db.commits
    results = await asyncio.gather(
        *(runner.handle(env(f"u{i}", "yes", f"y{i}")) for i in range(20)), return_exceptions=True
    )
    assert sum(isinstance(r, RuntimeError) for r in results) == 1
    assert rows(settings, "SELECT count(*) FROM answers") == [(19,)]
    assert runner.db.commits - commits < 20  # several turns shared a commit


async def test_turns_sharing_a_commit_see_what_the_turns_before_them_wrote(
    settings: Settings, content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a batch sends its turns' first reads ahead, together: a person's
    second message in the same batch, and a redelivery, still see what their first did.
    (One writer: with two, two messages of one person sent at once may apply in either
    order, one at a time; nothing orders them before they arrive.)"""
    from storage.postgres import PostgresDatabase

    monkeypatch.setattr(PostgresDatabase, "writers", 1)
    runner = await open_runner(settings, content)
    try:
        await _sharing_a_commit(runner, settings)
    finally:
        await runner.db.close()


async def _sharing_a_commit(runner: TurnRunner, settings: Settings) -> None:
    for i in range(12):
        await runner.handle(env(f"u{i}", kind="open"))
    commits = runner.db.commits
    batch = [env(f"u{i}", "yes", f"c{i}") for i in range(12)]
    batch += [env("u0", "1", "l0"), env("u0", "yes", "c0"), env("u5", "1", "l5")]
    out = await asyncio.gather(*(runner.handle(e) for e in batch))
    assert runner.db.commits - commits < len(batch)  # several turns shared a commit
    assert [o.duplicate for o in out] == [False] * 13 + [True, False]
    answers = rows(
        settings,
        "SELECT a.address, count(*) FROM answers x JOIN addresses a"
        " ON a.participant_id = x.participant_id GROUP BY a.address",
    )
    assert dict(answers) == {f"u{i}": 2 if i in (0, 5) else 1 for i in range(12)}
    steps = {
        address: json.loads(state)["run"][3]
        for address, state in rows(
            settings,
            "SELECT a.address, p.state FROM participants p JOIN addresses a"
            " ON a.participant_id = p.id",
        )
    }
    assert steps["u0"] == steps["u5"] == "group" and steps["u1"] == "language"


async def test_redelivered_message_is_applied_once(runner: TurnRunner, settings: Settings) -> None:
    await runner.handle(env("ana", kind="open"))
    first = await runner.handle(env("ana", "yes", "SM1"))
    again = await runner.handle(env("ana", "yes", "SM1"))
    assert not first.duplicate and again.duplicate and again.messages == ()
    assert rows(settings, "SELECT count(*) FROM answers") == [(1,)]


async def test_run_pinned_to_old_flow_version_finishes_on_it(
    settings: Settings, content: Content, tmp_path: Path
) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    old = "id: onboarding\nsteps:\n  - id: consent\n    type: consent\n  - id: group\n    type: choice\n    options: [community, government, prefer-not]\n    save: profile.group\n  - id: thanks\n    type: end\n"
    (flows / "onboarding.yaml").write_text(old)
    from bot.flows import load_library

    lib_old, problems = load_library([flows])
    assert not problems
    r1 = await open_runner(settings, Content(lib_old, content.tr))
    await r1.handle(env("ana", kind="open"))
    await r1.handle(env("ana", "yes"))
    await r1.db.close()
    # the organiser edits the live flow: the group question is gone
    new = old.replace(
        "  - id: group\n    type: choice\n    options: [community, government, prefer-not]\n    save: profile.group\n",
        "",
    )
    (flows / "onboarding.yaml").write_text(new)
    lib_new, _ = load_library([flows])
    assert lib_new["onboarding"].version != lib_old["onboarding"].version
    r2 = await open_runner(settings, Content(lib_new, content.tr))
    try:
        out = await r2.handle(env("ana", "2"))
        assert out.messages[0].text == content.tr("en", "onboarding-thanks")
        assert rows(settings, "SELECT value FROM answers WHERE step_id='group'") == [
            ("government",)
        ]
        # a newcomer starts on the new version
        await r2.handle(env("ben", kind="open"))
        versions = rows(
            settings, "SELECT DISTINCT version FROM runs"
        )
        assert {v for (v,) in versions} == {
            lib_old["onboarding"].version,
            lib_new["onboarding"].version,
        }
    finally:
        await r2.db.close()


async def test_delete_erases_the_participant_everywhere(
    runner: TurnRunner, settings: Settings
) -> None:
    await runner.handle(env("ana", kind="open"))
    for text in ["yes", "1", "2", "DELETE", "YES"]:
        await runner.handle(env("ana", text))
    db = settings
    for table in ("participants", "addresses", "answers", "runs"):
        assert rows(db, f"SELECT count(*) FROM {table}") == [(0,)], table
    last = rows(db, "SELECT participant_id, payload FROM outbox ORDER BY id DESC LIMIT 1")[0]
    assert last[0] is None and "deleted" in str(last[1])
    assert rows(db, "SELECT count(*) FROM outbox WHERE status = 'queued'") == [(1,)]


async def test_delete_leaves_nothing_they_typed_in_the_process(runner: TurnRunner) -> None:
    """The cache of normalised texts (`replies.norm`, the last 64 things people typed) is
    emptied once a DELETE commits; it had kept the person's last words until 64 more
    messages came."""
    from bot.engine import replies

    await runner.handle(env("ana", kind="open"))
    for text in ["yes", "Our street floods every spring", "DELETE"]:
        await runner.handle(env("ana", text))
    assert replies.norm.cache_info().currsize > 0
    await runner.handle(env("ana", "YES"))
    assert replies.norm.cache_info().currsize == 0


async def test_stop_cancels_what_was_queued_for_them(
    runner: TurnRunner, settings: Settings
) -> None:
    await runner.handle(env("ana", kind="open"))
    await runner.handle(env("ana", "STOP"))
    db = settings
    statuses = rows(db, "SELECT status, force FROM outbox ORDER BY id")
    assert statuses[-1] == ("queued", 1)  # the STOP confirmation itself
    assert all(s == "cancelled" for s, f in statuses[:-1])
    assert rows(db, "SELECT stopped_at IS NOT NULL FROM participants") == [(1,)]


async def test_state_survives_a_new_process(settings: Settings, content: Content) -> None:
    r1 = await open_runner(settings, content)
    await r1.handle(env("ana", kind="open"))
    await r1.handle(env("ana", "yes"))
    await r1.db.close()
    r2 = await open_runner(settings, content)
    try:
        out = await r2.handle(env("ana", kind="open"))
        assert "Welcome back" in out.messages[0].text and "Language" in out.messages[0].text
    finally:
        await r2.db.close()


def test_flow_model_round_trips_with_the_same_version(content: Content) -> None:
    for flow in content.library.flows.values():
        assert Flow.model_validate_json(flow.model_dump_json()).version == flow.version


async def test_the_dashboard_finds_people_at_the_step_they_stand_at(
    runner: TurnRunner, settings: Settings
) -> None:
    """A run's row is written when it starts and ends; where people stand (and where
    those who sent STOP stopped) is read from their state."""
    from storage import reports

    for who in ("ana", "ben", "chi"):
        await runner.handle(env(who, kind="open"))
        await runner.handle(env(who, "yes"))  # consent: now at the language step
    await runner.handle(env("ben", "1"))  # language chosen: at the group step
    await runner.handle(env("chi", "1"))
    await runner.handle(env("chi", "STOP"))  # stopped at the group step
    waiting = sorted(await reports.waiting_at(runner.db.reader, runner.default_dialogue))
    assert waiting == [("onboarding", "group", 2), ("onboarding", "language", 1)]
    started = rows(settings, "SELECT count(*) FROM runs WHERE status = 'active'")
    assert started == [(3,)]  # one row per run, written when it started

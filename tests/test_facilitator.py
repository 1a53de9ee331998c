"""Facilitators through the console channel's turn path, on a real SQLite file."""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.engine.io import Inbound
from bot.facilitator import dashboard
from bot.facilitator.commands import parse_facilitators
from bot.outbox import Delivered, Sender, Throttle
from bot.runtime import Content, open_runner
from bot.scheduler import Scheduler
from bot.turns import Envelope, TurnRunner
from storage.outbox import Outgoing
from tests.conftest import make_settings

ORG = "org"
PEOPLE = {"ana": ("fr", "oui", "2"), "ben": ("es", "sí", "3"), "cy": ("en", "yes", "1")}
POLL = "/poll en: Which first? | Water | Roads || fr: Quoi d'abord ? | Eau | Routes || es: ¿Qué primero? | Agua | Caminos"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def fac(tmp_path: Path, content: Content) -> tuple[TurnRunner, Settings, Clock]:
    settings = make_settings(tmp_path, facilitators=f"console:{ORG}", files_dir=tmp_path / "files")
    runner = await open_runner(settings, content)
    clock = Clock()
    runner.clock = clock
    assert runner.commands is not None
    runner.commands.clock = clock  # type: ignore[attr-defined]
    yield runner, settings, clock
    await runner.db.close()


async def say(
    runner: TurnRunner, who: str, text: str, ext: str | None = None, kind: str = "text"
) -> list[str]:
    out = await runner.handle(Envelope("console", who, Inbound(kind=kind, text=text), ext))  # type: ignore[arg-type]
    return [m.text for m in out.messages]


def q(settings: Settings, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with sqlite3.connect(settings.database_path) as conn:
        return list(conn.execute(sql, params))


def queued_texts(settings: Settings, who: str) -> list[str]:
    rows = q(settings, "SELECT payload FROM outbox WHERE address = ? ORDER BY id", (who,))
    return [json.loads(str(p))["text"] for (p,) in rows]


async def join_people(runner: TurnRunner) -> None:
    for who, (_lang, yes, pick) in PEOPLE.items():
        await say(runner, who, "", kind="open")
        await say(runner, who, yes)
        await say(runner, who, pick)  # language choice: fr=2, es=3, en=1


async def test_non_facilitator_is_refused_and_nothing_changes(
    fac: tuple[TurnRunner, Settings, Clock], caplog: pytest.LogCaptureFixture
) -> None:
    runner, settings, _ = fac
    await join_people(runner)
    with caplog.at_level(logging.WARNING):
        texts = await say(runner, "ana", "/poll Hack | a | b")
    assert texts == ["Désolé, cette commande est réservée aux facilitateurs du dialogue."]
    assert q(settings, "SELECT count(*) FROM prompts") == [(0,)]
    assert "refused facilitator command /poll from console:ana" in caplog.text
    # and her flow was not disturbed: she is still at the group question
    assert "groupe" in (await say(runner, "ana", "HELP"))[0].lower()


async def test_poll_votes_close_results_share_in_each_language(
    fac: tuple[TurnRunner, Settings, Clock],
) -> None:
    runner, settings, _ = fac
    await join_people(runner)
    assert (await say(runner, ORG, POLL))[0] == "Poll 1 sent to 3 participants."
    assert "Quoi d'abord ?" in queued_texts(settings, "ana")[-1]
    assert "¿Qué primero?" in queued_texts(settings, "ben")[-1]
    # ana votes Eau then changes to Routes; ben votes twice through a redelivery; cy votes Water
    assert "Eau" in (await say(runner, "ana", "1"))[0]
    await runner.handle(Envelope("console", "ana", Inbound(kind="button", poll=1, picks=(1,))))
    await say(runner, "ben", "agua", ext="b1")
    await say(runner, "ben", "agua", ext="b1")
    await say(runner, "cy", "water")
    assert q(settings, "SELECT value, count(*) FROM responses GROUP BY value ORDER BY value") == [
        ("0", 2),
        ("1", 1),
    ]
    results = (await say(runner, ORG, "/results"))[0]
    assert results == "Poll 1: Which first? (3 votes, open)\nWater ███████ 67%\nRoads ███ 33%"
    assert "3 votes, open" in results
    assert (await say(runner, ORG, "/close"))[0] == "Poll 1 is closed: 3 votes."
    # a late vote is not counted, and the voter is told
    late = await runner.handle(
        Envelope("console", "cy", Inbound(kind="button", poll=1, picks=(1,)))
    )
    assert "closed" in late.messages[0].text
    assert q(settings, "SELECT count(*) FROM responses WHERE value = '1'") == [(1,)]
    assert (await say(runner, ORG, "/share"))[0] == "Results of poll 1 sent to 3 participants."
    assert queued_texts(settings, "ana")[-1].startswith("Résultats : Quoi d'abord ? (3 votes)\nEau")
    assert queued_texts(settings, "ben")[-1].startswith("Resultados: ¿Qué primero? (3 votos)\nAgua")
    assert (
        queued_texts(settings, "cy")[-1]
        == "Results: Which first? (3 votes)\nWater ███████ 67%\nRoads ███ 33%"
    )


async def test_prompt_to_one_group_stored_mid_flow_and_flow_resumes(
    fac: tuple[TurnRunner, Settings, Clock],
) -> None:
    runner, settings, _ = fac
    await join_people(runner)
    await say(runner, "ana", "3")  # government
    await say(runner, "ben", "1")  # community
    sent = await say(
        runner,
        ORG,
        "/prompt --to government en: What blocks you? | fr: Qu'est-ce qui vous bloque ? | es: ¿Qué le frena?",
    )
    assert sent == ["Prompt 1 sent to 1 participants."]
    assert queued_texts(settings, "ana")[-1].startswith("Qu'est-ce qui vous bloque ?")
    assert not any("blocks" in t or "frena" in t for t in queued_texts(settings, "ben"))
    texts = await say(runner, "ana", "Le budget")
    assert texts[0].startswith("Merci, votre réponse a bien été reçue.")
    assert runner.tr("fr", "onboarding-age") in texts[0]  # and the flow asks again
    assert q(settings, "SELECT value FROM responses") == [("Le budget",)]
    # her next reply answers the flow again (age question)
    await say(runner, "ana", "3")
    assert q(
        settings,
        "SELECT json_extract(profile, '$.age') FROM participants WHERE id = (SELECT participant_id FROM addresses WHERE address='ana')",
    ) == [("25-34",)]


async def test_bad_commands_get_usage(fac: tuple[TurnRunner, Settings, Clock]) -> None:
    runner, _, _ = fac
    assert "/poll Question | Option 1" in (await say(runner, ORG, "/poll only a question"))[0]
    assert "at most 10" in (await say(runner, ORG, "/poll Q | " + " | ".join("abcdefghijk")))[0]
    assert "24h" in (await say(runner, ORG, "/poll --closes soon Q | a | b"))[0]
    assert (await say(runner, ORG, "/results"))[0] == "There is no poll yet."


async def test_poll_closes_by_itself_at_its_deadline_across_a_restart(
    fac: tuple[TurnRunner, Settings, Clock], content: Content
) -> None:
    runner, settings, clock = fac
    await join_people(runner)
    await say(runner, ORG, "/poll --closes 2h Which? | Water | Roads")
    clock.now += timedelta(hours=3)
    # a vote after the deadline is refused even before the scheduler ran
    assert "closed" in (await say(runner, "cy", "1"))[0]
    await runner.db.close()
    runner2 = await open_runner(settings, content)
    try:
        sched = Scheduler(runner2.db, runner2.tr, runner2.dialogues, clock=clock)
        assert await sched.tick() == 1
        assert q(settings, "SELECT closed_at IS NOT NULL FROM prompts") == [(1,)]
        # the two who have not replied yet: a late "1" is still told the poll is closed
        assert q(settings, "SELECT count(*) FROM participants WHERE prompt IS NOT NULL") == [(2,)]
        clock.now += timedelta(hours=25)
        assert await sched.tick() == 1
        assert q(settings, "SELECT count(*) FROM participants WHERE prompt IS NOT NULL") == [(0,)]
    finally:
        await runner2.db.close()
        runner.db = runner2.db  # the fixture closes it again harmlessly


async def test_reminder_goes_out_once_before_a_session(
    fac: tuple[TurnRunner, Settings, Clock],
) -> None:
    runner, settings, clock = fac
    await join_people(runner)
    session = runner.dialogues["baraza"].sessions[0].at
    clock.now = session - timedelta(hours=3)
    sched = Scheduler(runner.db, runner.tr, runner.dialogues, clock=clock)
    assert await sched.tick() == 1
    assert await sched.tick() == 0
    assert queued_texts(settings, "ana")[-1].startswith(
        "Rappel : First baraza a lieu le 2027-01-20 10:00"
    )


async def test_scheduled_poll_opens_later(fac: tuple[TurnRunner, Settings, Clock]) -> None:
    runner, settings, clock = fac
    await join_people(runner)
    assert "will open" in (await say(runner, ORG, "/poll --opens 1h Which? | Water | Roads"))[0]
    sched = Scheduler(runner.db, runner.tr, runner.dialogues, clock=clock)
    assert await sched.tick() == 0
    clock.now += timedelta(hours=1)
    assert await sched.tick() == 1
    assert q(settings, "SELECT reached FROM prompts") == [(3,)]


def test_facilitators_setting() -> None:
    assert parse_facilitators(
        "telegram:1, tel:+254700000001@water console:org@a console:org@b"
    ) == {
        "telegram:1": None,
        "tel:+254700000001": {"water"},
        "console:org": {"a", "b"},
    }


async def seed(settings: Settings, groups: dict[str, int]) -> None:
    """Participants with known groups, languages and channels, straight into the file."""
    with sqlite3.connect(settings.database_path) as conn:
        n = 0
        for group, count in groups.items():
            for _ in range(count):
                n += 1
                lang = ("en", "fr", "es")[n % 3]
                channel = "sms" if n % 2 else "telegram"
                conn.execute(
                    "INSERT INTO participants (id, dialogue, language, consented_at, profile, state, channel,"
                    " created_at, last_seen_at) VALUES (?, 'baraza', ?, '2026-11-29', ?, '{}', ?, '2026-11-29', '2026-11-29')",
                    (f"s{n}", lang, json.dumps({"group": group}), channel),
                )
                conn.execute(
                    "INSERT INTO addresses VALUES (?, ?, ?, '2026-11-29')",
                    (channel, f"+2547000{n:05d}", f"s{n}"),
                )
                conn.execute(
                    "INSERT INTO answers (participant_id, flow_id, step_id, value, raw, language, channel, created_at)"
                    " VALUES (?, 'explore', 'challenge', 'water', 'Water is far', ?, ?, '2026-11-29')",
                    (f"s{n}", lang, channel),
                )


async def test_dashboard_numbers_on_a_seeded_database(
    fac: tuple[TurnRunner, Settings, Clock],
) -> None:
    runner, settings, clock = fac
    await seed(settings, {"community": 50, "government": 7, "business": 3})
    board = await dashboard.build(runner.db, runner.dialogues["baraza"], clock.now)
    text = dashboard.text(board)
    assert board.totals["consented"] == 60
    assert "community: 50 / 48" in text
    assert "government: 7 of 12 expected" in text
    assert "business: <5 of 12 expected" in text  # 3 people: never shown exactly
    assert "By channel: sms 30, telegram 30" in text
    assert "By language: en 20, es 20, fr 20" in text
    png = dashboard.chart(board, settings.files_dir / "d.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_export_has_no_address(fac: tuple[TurnRunner, Settings, Clock]) -> None:
    runner, settings, _ = fac
    await seed(settings, {"community": 6})
    await join_people(runner)
    texts = await say(runner, ORG, "/export")
    assert texts[0].startswith("Export of baraza: ")
    [(payload,)] = q(
        settings, "SELECT payload FROM outbox WHERE address = ? ORDER BY id DESC LIMIT 1", (ORG,)
    )
    path = Path(json.loads(str(payload))["attachment"])
    body = path.read_text()
    rows = list(csv.DictReader(body.splitlines()))
    assert len(rows) >= 6 and rows[0]["participant"].startswith(("s", "p"))
    for (address,) in q(settings, "SELECT address FROM addresses"):
        assert str(address) not in body
        assert str(address).lstrip("+") not in body


class Recorder:
    channel = "console"

    def __init__(self, fail_after: int | None = None) -> None:
        self.got: list[tuple[str, str]] = []
        self.fail_after = fail_after

    async def deliver(self, row: Outgoing, throttle: Throttle) -> Delivered:
        await throttle(1)
        if self.fail_after is not None and len(self.got) >= self.fail_after:
            raise asyncio.CancelledError  # the process dies mid-broadcast
        self.got.append((row.address, row.message.text))
        return Delivered()


async def test_broadcast_survives_a_kill_and_nobody_gets_it_twice_more_than_once(
    tmp_path: Path, content: Content
) -> None:
    settings = make_settings(tmp_path, facilitators=f"console:{ORG}")
    runner = await open_runner(settings, content)
    for i in range(40):
        await say(runner, f"u{i}", "", kind="open")
        await say(runner, f"u{i}", "yes")
    await say(runner, ORG, "/prompt What should the next session discuss?")
    first = Recorder(fail_after=15)
    sender = Sender(runner.db, first, rate=1000, concurrency=4)
    with pytest.raises(asyncio.CancelledError):
        while await sender.drain_once():
            pass
    await runner.db.close()  # rows in flight stay 'sending' in the file
    runner = await open_runner(settings, content)  # recovery puts them back in the queue
    second = Recorder()
    sender = Sender(runner.db, second, rate=1000, concurrency=4)
    while await sender.drain_once():
        pass
    await runner.db.close()
    got = [a for a, t in first.got + second.got if t.startswith("What should")]
    assert sorted(set(got)) == sorted(f"u{i}" for i in range(40))
    assert max(got.count(a) for a in set(got)) <= 2
    assert q(
        settings, "SELECT count(*) FROM outbox WHERE status != 'sent' AND address != ?", (ORG,)
    ) == [(0,)]


async def test_quiet_hours_hold_bulk_but_not_replies(
    fac: tuple[TurnRunner, Settings, Clock],
) -> None:
    runner, _, _ = fac
    await join_people(runner)
    await say(runner, ORG, "/prompt Hello all")
    rec = Recorder()
    sender = Sender(runner.db, rec, rate=1000, concurrency=50, hold=lambda now: ["baraza"])
    while await sender.drain_once():
        pass
    assert rec.got and not any(t.startswith("Hello all") for _, t in rec.got)
    sender.hold = lambda now: []
    while await sender.drain_once():
        pass
    assert sum(t.startswith("Hello all") for _, t in rec.got) == 3


def test_quiet_hours_follow_the_dialogues_local_time(content: Content) -> None:
    from bot.serve import quiet_dialogues

    dialogues = content.dialogues  # baraza: 21:00-07:00 in Africa/Nairobi (UTC+3)
    night = datetime(2026, 11, 30, 19, 30, tzinfo=UTC).timestamp()  # 22:30 local
    morning = datetime(2026, 11, 30, 4, 30, tzinfo=UTC).timestamp()  # 07:30 local
    assert quiet_dialogues(dialogues, night) == ["baraza"]
    assert quiet_dialogues(dialogues, morning) == []

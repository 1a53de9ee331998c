"""Conversations people can trust: one open question at a time, nothing misfiled, every
promise to a participant kept. Each test reproduces something users saw (issue 9), on a
real runner and database (SQLite and PostgreSQL), through what each person's phone shows."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.delivery import Delivered, Delivery, Limits, Rejected, Sender, Throttle
from bot.runtime import Content, load_content, open_runner
from bot.scheduler import Scheduler
from bot.turns import TurnRunner
from storage import outbox
from storage.conn import Conn
from tests import sql
from tests.conftest import ROOT, make_settings
from tests.people import (
    Clock,
    broadcast,
    onboard,
    phone,
    pid_of,
    q,
    say,
    screen,
    send,
    use_clock,
    vote,
)

ORG = "org"
pytestmark = pytest.mark.backends


@pytest.fixture
async def world(
    tmp_path: Path, content: Content, database_url: str
) -> AsyncIterator[tuple[TurnRunner, Clock]]:
    settings = make_settings(tmp_path, database_url=database_url, facilitators=f"console:{ORG}")
    runner = await open_runner(settings, content)
    clock = Clock()
    use_clock(runner, clock)
    yield runner, clock
    await runner.db.close()


def responses(runner: TurnRunner) -> list[tuple[int, str]]:
    return [
        (int(p), str(v))
        for p, v in q(runner, "SELECT prompt_id, value FROM responses ORDER BY prompt_id")
    ]


def answers(runner: TurnRunner, who: str) -> dict[str, str]:
    rows = q(
        runner,
        "SELECT step_id, value FROM answers WHERE participant_id = ? ORDER BY id",
        (pid_of(runner, who),),
    )
    return {str(s): str(v) for s, v in rows}


# --------------------------------------------------------------------------- stacked broadcasts


async def test_a_prompt_and_a_poll_wait_for_someone_mid_question_then_come_one_at_a_time(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, _ = world
    await onboard(runner, "ana")  # she is answering: at the age question
    await broadcast(runner, ORG, "/prompt What worries you most?")
    await broadcast(runner, ORG, "/poll Which first? | Water | Roads")
    assert await phone(runner, "ana") == []  # both wait: she is mid-question
    reply = await say(runner, "ana", "3")  # her answer to the age question
    assert reply == ["Question 1 from the facilitators: What worries you most?"]
    reply = await say(runner, "ana", "The water is far")
    assert reply[0].startswith("Thank you, your answer was received.\n\nPoll 2: Which first?")
    reply = await say(runner, "ana", "2")
    assert reply[0].startswith("Thank you! Your vote: Roads.")
    assert reply[0].endswith(runner.tr("en", "onboarding-gender"))  # the flow resumes
    await say(runner, "ana", "2")
    assert responses(runner) == [(1, "The water is far"), (2, "1")]
    assert answers(runner, "ana") == {
        "consent": "yes", "language": "en", "group": "community", "age": "25-34", "gender": "man",
    }  # fmt: skip


async def test_two_prompts_in_a_row_each_answer_is_stored_against_its_own(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await onboard(runner, "ben")
    clock.advance()  # ben is at rest: the first prompt is shown at once
    await broadcast(runner, ORG, "/prompt First question?")
    await broadcast(runner, ORG, "/prompt Second question?")
    assert await screen(runner, "ben") == [
        "Question 1 from the facilitators: First question?\nReply in a few words, or SKIP."
    ]
    assert (await say(runner, "ben", "answer one"))[0].endswith("Second question?")
    second = await say(runner, "ben", "answer two")
    assert second[0].endswith(runner.tr("en", "onboarding-age"))  # then his own question again
    assert responses(runner) == [(1, "answer one"), (2, "answer two")]


async def test_results_never_displace_the_open_question(world: tuple[TurnRunner, Clock]) -> None:
    runner, clock = world
    for who in ("a1", "a2", "a3", "a4", "a5"):
        await onboard(runner, who)
    clock.advance()
    await broadcast(runner, ORG, "/poll Which first? | Water | Roads")
    for who in ("a1", "a2", "a3", "a4", "a5"):
        await phone(runner, who)
        await say(runner, who, "1")
        await phone(runner, who)
    clock.advance()
    await broadcast(runner, ORG, "/share")
    # a1 is at rest: the results come, then the question she has open, asked again last
    seen = await screen(runner, "a1")
    assert seen[0].startswith("Results of poll 1: Which first? (5 votes)\nWater ██████████ 100%")
    assert seen[-1].startswith(runner.tr("en", "back-to-question"))
    assert runner.tr("en", "onboarding-age") in seen[-1]
    # her "1" now answers the question she saw last: the age question
    await say(runner, "a1", "1")
    assert answers(runner, "a1")["age"] == "under-18"


async def test_results_wait_for_the_next_answer_of_someone_mid_question(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    people = [f"v{i}" for i in range(5)]
    for who in people:
        await onboard(runner, who)
    clock.advance()
    await broadcast(runner, ORG, "/poll Which first? | Water | Roads")
    for who in people:
        await phone(runner, who)
        await say(runner, who, "2")
        await phone(runner, who)
    await broadcast(runner, ORG, "/share")  # they just voted: they are mid-conversation
    assert await phone(runner, "v0") == []
    reply = await say(runner, "v0", "3")  # answers the age question
    assert reply[0].startswith("Results of poll 1: Which first? (5 votes)")
    assert reply[-1].startswith(runner.tr("en", "onboarding-gender"))


# --------------------------------------------------------------------------- votes by SMS


async def test_a_vote_changes_by_sms_with_poll_n_and_other_replies_stay_answers(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await onboard(runner, "cy")
    clock.advance()
    await broadcast(runner, ORG, "/poll Which day? | Friday | Saturday")
    await phone(runner, "cy")
    thanks = (await say(runner, "cy", "1"))[0]
    assert "To change it before the poll closes, send POLL 1." in thanks
    await say(runner, "cy", "3")  # the age question, asked again after the poll
    assert answers(runner, "cy")["age"] == "25-34" and responses(runner) == [(1, "0")]
    await phone(runner, "cy")
    reopened = await say(runner, "cy", "POLL 1")
    assert reopened[-1].startswith("Poll 1: Which day?\nYour vote: Friday")
    out_of_range = await say(runner, "cy", "3")
    assert out_of_range[0].startswith(
        "Sorry, I did not understand. Please reply with a number from 1 to 2."
    )
    assert responses(runner) == [(1, "0")]
    await say(runner, "cy", "Saturday")
    assert responses(runner) == [(1, "1")]
    await say(runner, "cy", "2")  # the gender question: an answer, not a vote
    assert answers(runner, "cy")["gender"] == "man" and responses(runner) == [(1, "1")]
    assert (await say(runner, "cy", "POLL 9"))[0].startswith("There is no open poll 9 for you.")


# --------------------------------------------------------------------------- keyword-like answers


async def onboarded_to_explore(runner: TurnRunner, who: str) -> None:
    await onboard(runner, who)
    for reply in ("3", "2", "1"):  # age, gender, area
        await say(runner, who, reply)
    await phone(runner, who)


async def test_answers_that_begin_like_a_keyword_are_answers(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, _ = world
    await onboarded_to_explore(runner, "dee")
    await say(runner, "dee", "Join us")
    await say(runner, "dee", "Join committee.")
    await say(runner, "dee", "Stop the leaks")
    await say(runner, "dee", "Help from the county")
    got = answers(runner, "dee")
    assert [got[s] for s in ("challenge", "causes", "effects", "tried")] == [
        "Join us", "Join committee.", "Stop the leaks", "Help from the county",
    ]  # fmt: skip


# --------------------------------------------------------------------------- STOP and DELETE


async def test_stop_wins_over_a_pending_delete(world: tuple[TurnRunner, Clock]) -> None:
    runner, clock = world
    await onboard(runner, "eve")
    await say(runner, "eve", "DELETE")
    reply = await say(runner, "eve", "STOP")
    assert reply == [runner.tr("en", "stopped")]
    assert q(runner, "SELECT stopped_at IS NOT NULL FROM participants") == [(1,)]
    assert answers(runner, "eve")["consent"] == "yes"  # nothing was deleted
    await phone(runner, "eve")
    clock.advance()
    await broadcast(runner, ORG, "/poll Still there? | Yes | No")
    assert await phone(runner, "eve") == []  # and no broadcast reaches her


async def test_a_stopped_person_can_see_and_erase_their_data_without_coming_back(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, _ = world
    await onboard(runner, "fay")
    await say(runner, "fay", "STOP")
    await phone(runner, "fay")
    assert (await say(runner, "fay", "hello?")) == []  # anything else: not even stored
    mydata = await say(runner, "fay", "MYDATA")
    assert mydata[0].startswith("We store:") and "consent Yes" in mydata[0]
    seen = await phone(runner, "fay")  # answered although she stopped
    assert await say(runner, "fay", "DELETE") == [runner.tr("en", "delete-confirm")]
    seen += await phone(runner, "fay")
    assert await say(runner, "fay", "YES") == [runner.tr("en", "deleted")]
    seen += await phone(runner, "fay")
    assert q(runner, "SELECT count(*) FROM participants") == [(0,)]
    assert [m.text for m in seen] == [
        mydata[0], runner.tr("en", "delete-confirm"), runner.tr("en", "deleted"),
    ]  # fmt: skip


# --------------------------------------------------------------------------- who may vote


async def test_votes_count_only_in_an_open_poll_from_its_audience_after_consent(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await onboard(runner, "gov", group="3")  # government
    await onboard(runner, "com", group="1")  # community
    await say(runner, "new", kind="open")  # at the consent step
    clock.advance()
    await broadcast(runner, ORG, "/poll --to government Which first? | Water | Roads")
    await broadcast(runner, ORG, "/poll --opens 2h Later? | Yes | No")
    closed = runner.tr("en", "question-closed")
    assert (await vote(runner, "com", 1, 0))[0] == closed  # not in its audience
    assert (await vote(runner, "new", 1, 0))[0] == closed  # has not consented
    assert (await vote(runner, "gov", 2, 0))[0] == runner.tr("en", "poll-closed")  # not open yet
    await phone(runner, "gov")
    await say(runner, "gov", "DELETE")
    await say(runner, "gov", "YES")
    assert await vote(runner, "gov", 1, 0) == [closed]  # an old button after DELETE
    assert q(
        runner,
        "SELECT count(*) FROM participants WHERE id NOT IN (SELECT participant_id FROM addresses WHERE address IN ('com', 'new'))",
    ) == [(0,)]
    assert responses(runner) == []
    assert (await say(runner, ORG, "/results 1"))[0].startswith("Poll 1: Which first? (0 votes")


async def test_a_dialogue_whose_flows_never_ask_consent_is_refused(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    (flows / "dialogues" / "quick.yaml").write_text(
        "code: quick\ntitle: {en: Quick}\nflows: [explore]\n", encoding="utf-8"
    )
    from bot.check import check_paths

    problems = [str(p) for p in check_paths([flows], ROOT / "locales")]
    assert problems == [
        f"{flows}/dialogues/quick.yaml: flows: answers to explore/causes, explore/challenge,"
        " explore/effects, explore/missing, explore/tried ... could not be stored: no consent"
        " step comes before them (add a step of type consent first)"
    ]


async def finish_everything(runner: TurnRunner, who: str) -> None:
    """Answer every question of the dialogue, whatever its kind."""
    await onboard(runner, who)
    replies = {"text": "Some words", "multi": "1", "scale": "3", "yesno": "no"}
    for _ in range(40):
        out = await send(runner, who, "1")
        asked = [m.question for m in out.messages if m.question is not None]
        while asked and asked[-1].kind in replies:
            out = await send(runner, who, replies[asked[-1].kind])
            asked = [m.question for m in out.messages if m.question is not None]
        if not asked:
            return
    raise AssertionError("the dialogue never ended")


async def test_start_after_finishing_welcomes_back_and_does_not_onboard_again(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, _ = world
    await finish_everything(runner, "hal")
    runs = q(runner, "SELECT count(*) FROM runs")
    reply = await say(runner, "hal", "START")
    assert reply == [runner.tr("en", "welcome-back") + "\n\n" + runner.tr("en", "all-done")]
    await say(runner, "hal", "STOP")
    reply = await say(runner, "hal", "START")
    assert reply[0].startswith(runner.tr("en", "welcome-back"))
    assert q(runner, "SELECT count(*) FROM runs") == runs
    assert q(runner, "SELECT count(*) FROM answers WHERE step_id = 'consent'") == [(1,)]


# --------------------------------------------------------------------------- scope


async def test_a_facilitator_of_one_dialogue_exports_only_what_was_said_in_it(
    tmp_path: Path,
) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    text = (flows / "dialogues" / "baraza.yaml").read_text(encoding="utf-8")
    (flows / "dialogues" / "roads.yaml").write_text(
        text.replace("code: baraza", "code: roads"), encoding="utf-8"
    )
    settings = make_settings(tmp_path, flows_dir=flows, facilitators=f"console:{ORG}@baraza")
    runner = await open_runner(settings, load_content(settings))
    try:
        await onboard(runner, "ida")
        await say(runner, "ida", "3")  # age, in baraza
        await say(runner, "ida", "JOIN roads")
        for reply in ("yes", "1", "2", "5"):  # consent, language, group, age: in roads
            await say(runner, "ida", reply)
        out = await say(runner, ORG, "/export")
        assert out[0].startswith("Export of baraza: ")
        [(payload,)] = q(
            runner, "SELECT payload FROM outbox WHERE address = ? ORDER BY id DESC LIMIT 1", (ORG,)
        )
        body = Path(json.loads(payload)["attachment"]).read_text(encoding="utf-8")
        assert "25-34" in body and "50-64" not in body and "civil-society" not in body
        refused = await say(runner, ORG, "/export --dialogue roads")
        assert refused[0].splitlines()[0] == runner.tr("en", "fac-unknown-dialogue", code="roads")
    finally:
        await runner.db.close()


# --------------------------------------------------------------------------- kept no longer


def every_text(runner: TurnRunner) -> str:
    """Everything stored in the database, as text."""
    out: list[str] = []
    for table in sql.tables(runner):
        out.extend(json.dumps(r, default=str) for r in sql.rows(runner, f"SELECT * FROM {table}"))
    return "\n".join(out)


async def test_nothing_typed_before_consent_is_kept(world: tuple[TurnRunner, Clock]) -> None:
    runner, _ = world
    await say(runner, "jo", "Hello, I am Zawadi Otieno from Kibera")
    await say(runner, "jo", "JOIN zawadi-secret")  # an unknown code is not echoed back
    await say(runner, "jo", "maybe, Zawadi thinks so")
    await say(runner, "jo", "no")
    await phone(runner, "jo")
    stored = every_text(runner)
    assert "Zawadi" not in stored and "Kibera" not in stored and "zawadi-secret" not in stored


async def test_done_outbox_rows_keep_neither_text_nor_address(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await onboard(runner, "kai")
    await onboard(runner, "lee")
    clock.advance()
    await broadcast(runner, ORG, "/prompt Anything to add?")
    await say(runner, "lee", "STOP")  # her queued prompt is cancelled
    await phone(runner, "kai")

    class Refusing:
        channel = "console"

        async def deliver(self, delivery: Delivery, throttle: Throttle) -> Delivered:
            raise Rejected("invalid number")

    await say(runner, "kai", "HELP")
    await Sender(runner.db, Refusing(), Limits(rate=1000)).drain_once()
    done = q(runner, "SELECT status, payload, address FROM outbox WHERE status != 'queued'")
    assert {s for s, _, _ in done} == {"sent", "cancelled", "failed"}
    assert {(p, a) for _, p, a in done} == {("{}", None)}


async def test_export_files_go_once_sent_and_old_data_is_pruned(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await onboard(runner, "mo", group="2")
    await say(runner, ORG, "/export")
    [(payload,)] = q(runner, "SELECT payload FROM outbox WHERE address = ?", (ORG,))
    path = Path(json.loads(payload)["attachment"])
    assert path.exists()

    class Phone:
        channel = "console"

        async def deliver(self, delivery: Delivery, throttle: Throttle) -> Delivered:
            return Delivered("x")

    while await Sender(runner.db, Phone(), Limits(rate=1000)).drain_once():
        pass
    assert not path.exists()
    clock.advance(timedelta(days=31))
    await Scheduler(runner).tick()
    assert q(runner, "SELECT count(*) FROM outbox WHERE status = 'sent'") == [(0,)]
    assert q(runner, "SELECT count(*) FROM inbound") == [(0,)]


async def test_the_inbound_log_is_pruned_after_the_retention_period(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await say(runner, "ned", ext="SM1", kind="open")
    await say(runner, "ned", "yes", ext="SM2")
    assert q(runner, "SELECT count(*) FROM inbound") == [(2,)]
    clock.advance(timedelta(days=29))
    await Scheduler(runner).tick()
    assert q(runner, "SELECT count(*) FROM inbound") == [(2,)]  # still within 30 days
    clock.advance(timedelta(days=2))
    await Scheduler(runner).tick()
    assert q(runner, "SELECT count(*) FROM inbound") == [(0,)]


async def test_a_refused_command_logs_no_full_address(
    world: tuple[TurnRunner, Clock], caplog: pytest.LogCaptureFixture
) -> None:
    runner, _ = world
    with caplog.at_level(logging.INFO):
        await say(runner, "+254712345678", "/poll Q | a | b", channel="sms")
    assert "refused facilitator command /poll from tel:+2547…78" in caplog.text
    assert "254712345678" not in caplog.text


# --------------------------------------------------------------------------- a lost confirmation


async def test_a_deletion_confirmed_while_the_question_is_on_the_wire_is_delivered(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, _ = world
    await onboard(runner, "oz")
    await say(runner, "oz", "DELETE")

    def claim(conn: Conn) -> list[outbox.Outgoing]:
        return outbox.claim(conn, "console", float("inf"), 1, address="oz")

    [question] = await runner.db.write(claim)  # the confirmation question, on the wire
    await say(runner, "oz", "YES")

    def finish(conn: Conn) -> None:  # its send completes after the erase
        outbox.sent(conn, question.id, "SM-question", "2026-11-30T09:00:00+00:00")

    await runner.db.write(finish)
    seen = [m.text for m in await phone(runner, "oz")]
    assert seen == [runner.tr("en", "deleted")]
    ids = [int(i) for (i,) in q(runner, "SELECT id FROM outbox ORDER BY id")]
    assert len(set(ids)) == len(ids) and max(ids) > question.id
    assert q(runner, "SELECT provider_id FROM outbox WHERE id = ?", (question.id,)) == [
        ("SM-question",)
    ]


# --------------------------------------------------------------------------- numbers


async def test_negative_numbers_are_not_choices(world: tuple[TurnRunner, Clock]) -> None:
    runner, _ = world
    await say(runner, "pat", kind="open")
    await say(runner, "pat", "yes")
    await say(runner, "pat", "1")
    assert (await say(runner, "pat", "-1"))[0].startswith("Sorry, I did not understand.")
    await say(runner, "pat", "2")
    assert (await say(runner, "pat", "-3"))[0].startswith("Sorry, I did not understand.")
    assert "age" not in answers(runner, "pat")

"""Facilitator commands they can trust (issue 11): each thing facilitators saw, as they
saw it, through the console and Telegram turn paths on a real SQLite file and on
PostgreSQL, with a clock the test controls. And (issue 10) a command is one transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import turns as turns_module
from bot.config import Settings
from bot.facilitator import broadcast as broadcast_module
from bot.facilitator import dashboard
from bot.runtime import Content, open_runner
from bot.turns import TurnRunner
from tests.conftest import make_settings
from tests.people import (
    Clock,
    broadcast,
    onboard,
    phone,
    q,
    say,
    screen,
    send,
    use_clock,
)
from tests.sql import execute

pytestmark = pytest.mark.backends

ORG = "org"
TG = "7"
"""A facilitator on Telegram (`telegram:7`)."""
PEOPLE = {
    "ana": ("fr", "3"), "ben": ("es", "1"), "cy": ("en", "1"),
    "dee": ("en", "3"), "eli": ("fr", "1"), "fay": ("es", "2"),
}  # fmt: skip
HELP_HEAD = "Facilitator commands for Water for all (baraza) (times in Africa/Nairobi):"


@pytest.fixture
async def world(
    tmp_path: Path, content: Content, database_url: str
) -> AsyncIterator[tuple[TurnRunner, Clock]]:
    settings = make_settings(
        tmp_path, database_url=database_url, facilitators=f"console:{ORG} telegram:{TG}"
    )
    runner, clock = await start(settings, content)
    yield runner, clock
    await runner.db.close()


async def start(
    settings: Settings, content: Content, clock: Clock | None = None
) -> tuple[TurnRunner, Clock]:
    runner = await open_runner(settings, content)
    clock = clock or Clock()
    use_clock(runner, clock)
    return runner, clock


async def join(runner: TurnRunner, clock: Clock) -> None:
    for who, (lang, group) in PEOPLE.items():
        await onboard(runner, who, lang, group)
    clock.advance()


async def fac(runner: TurnRunner, text: str, **kw: object) -> str:
    """What the console facilitator is answered (one message)."""
    [reply] = await say(runner, ORG, text, **kw)
    return reply


def prompts(runner: TurnRunner) -> int:
    return int(q(runner, "SELECT count(*) FROM prompts")[0][0])


# --- commands accept nonsense ----------------------------------------------------------------


async def test_close_abc_is_refused_with_the_reason_and_an_example(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await join(runner, clock)
    await broadcast(runner, ORG, "/poll Which first? | Water | Roads")
    assert await fac(runner, "/close abc") == (
        '"abc" is not a poll number.\nWrite /close for the latest poll, or /close 3 for poll 3.'
    )
    assert q(runner, "SELECT closed_at FROM prompts") == [(None,)]


async def test_unknown_poll_ids_name_the_polls_that_exist(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await join(runner, clock)
    for n in range(1, 10):
        assert (await broadcast(runner, ORG, f"/poll Poll {n}? | Yes | No"))[0].startswith(
            f"Poll {n} sent to 6 participants"
        )
    for command in ("/close", "/results", "/share"):
        reply = await fac(runner, f"{command} 999")
        assert reply.startswith(
            "There is no poll 999 in Water for all. Its polls: 1, 2, 3, 4, 5, 6, 7, 8, 9.\n"
        ), reply
    assert q(runner, "SELECT count(*) FROM prompts WHERE closed_at IS NOT NULL") == [(0,)]
    assert q(runner, "SELECT count(*) FROM drafts WHERE kind = 'share'") == [(0,)]


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (
            "/poll --opens 2h --closes 1h Q? | A | B",
            "--closes 1h would close it before it opens (--opens 2h): both count from now.",
        ),
        (
            "/poll --closes 0h Q? | A | B",
            "--closes 0h is too soon: it stays open at least 10 minutes.",
        ),
        ("/poll --closes 9999d Q? | A | B", "--closes 9999d is too far ahead: at most 60 days."),
        ("/poll --opens 0m Q? | A | B", "--opens 0m is too soon: at least 1 minute ahead"),
        ("/poll Q? | A | A", 'The option "A" is given twice.'),
        ("/poll Q? | Water | water", 'The option "water" is given twice.'),
        ("/poll Q? | A", "A poll needs at least 2 options; you gave only one."),
        ("/poll --colses 2h Q? | A | B", "--colses is not an option of this command."),
        (
            "/poll --to ministers Q? | A | B",
            'There is no stakeholder group "ministers". Groups: community (Community member), civil-society (Civil society), government (Government)',
        ),
        ("/prompt en: Hi | en: Hello", '"en:" is given twice.'),
        ("/close --to government", "--to is not an option of this command."),
        ("/send now", "/send takes nothing after it."),
    ],
)
async def test_nonsense_is_refused_with_the_reason_and_how_to_write_it(
    world: tuple[TurnRunner, Clock], command: str, reason: str
) -> None:
    runner, clock = world
    await join(runner, clock)
    reply = await fac(runner, command)
    assert reply.startswith(reason), reply
    assert "\nWrite" in reply  # then how to write the command
    assert prompts(runner) == 0
    assert q(runner, "SELECT count(*) FROM drafts") == [(0,)]


async def test_share_of_an_open_poll_without_votes_warns_and_says_results_come_later(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await join(runner, clock)
    await broadcast(runner, ORG, "/poll Which first? | Water | Roads")
    for who in PEOPLE:
        await phone(runner, who)
    assert (await fac(runner, "/share")).splitlines()[1] == "Poll 1: Which first? (0 votes)"
    await say(runner, "cy", "1")  # one vote: cy has nothing open now
    await phone(runner, "cy")
    clock.advance()
    preview = await fac(runner, "/share")
    assert preview.splitlines()[:4] == [
        "Preview of the results you would share, not sent yet:",
        "Poll 1: Which first? (<5 votes)",
        "Fewer than 5 votes: participants will only be told that the results come when more"
        " people have voted.",
        "Poll 1 is still open: these are the results so far, and it stays open.",
    ]
    assert await fac(runner, "/send") == "Results of poll 1 sent to 6 participants."
    cy = await screen(runner, "cy")
    assert cy[0].startswith("Poll 1: Which first? Fewer than 5 people have voted so far")
    assert not any("0%" in t or "0 votes" in t for t in cy)


async def test_one_language_prompt_says_who_gets_english_instead(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await join(runner, clock)
    preview = await fac(runner, "/prompt en: What should the next session discuss?")
    assert "en: What should the next session discuss?" in preview
    assert "No text in French: French speakers get the English text." in preview
    assert "No text in Spanish: Spanish speakers get the English text." in preview
    await say(runner, ORG, "/send")
    ana = await screen(runner, "ana")  # French, and told in French around the English text
    assert ana[-1].startswith(
        "Question 1 des facilitateurs : What should the next session discuss?"
    )


async def test_an_unknown_command_and_help_answer_the_facilitators_help(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, _ = world
    foo = await fac(runner, "/foo")
    assert foo.startswith(f"There is no command /foo.\n\n{HELP_HEAD}\n/prompt Question")
    helped = await fac(runner, "/help")
    assert helped.startswith(HELP_HEAD) and "/send sends it, /cancel drops it" in helped
    assert (await fac(runner, "HELP")) == helped  # as Telegram's /help arrives
    assert (await fac(runner, "/help poll")).startswith(
        "Write: /poll Question | Option 1 | Option 2 (2 to 10 options)"
    )
    # never the participants' flow: no participant was made for the facilitator
    assert q(runner, "SELECT count(*) FROM participants") == [(0,)]
    assert q(runner, "SELECT count(*) FROM addresses") == [(0,)]


async def test_times_are_in_the_dialogues_time_zone(world: tuple[TurnRunner, Clock]) -> None:
    runner, clock = world  # 09:00 UTC is 12:00 in Nairobi
    await join(runner, clock)
    preview = await fac(runner, "/poll --opens 2h --closes 26h Later? | Yes | No")
    assert "Opens at 14:16 (Africa/Nairobi)." in preview  # joining took 16 minutes
    assert "Closes at 2026-12-01 14:16 (Africa/Nairobi)." in preview
    assert "It lapses in 10 minutes, at 12:26 (Africa/Nairobi)." in preview
    assert await fac(runner, "/send") == "Poll 1 will open at 14:16 (Africa/Nairobi)."
    assert (await fac(runner, "/results 1")).startswith(
        "Poll 1: Later? (0 votes, opens at 14:16 (Africa/Nairobi))"
    )
    # a scheduled poll closed before it opens never opens
    assert await fac(runner, "/close 1") == "Poll 1 will not open: cancelled."
    clock.advance(timedelta(hours=3))
    from bot.scheduler import Scheduler

    await Scheduler(runner).tick()
    assert q(runner, "SELECT sent_at FROM prompts") == [(None,)]
    assert all("Later?" not in t for t in await screen(runner, "cy"))


async def test_counts_of_people_are_plural_and_small_ones_hidden(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await onboard(runner, "solo")
    clock.advance()
    assert (await broadcast(runner, ORG, "/prompt Hello?")) == [
        "Prompt 1 sent to <5 participants."
    ]  # never "sent to 1 participants", and one person is never singled out
    tr = runner.tr
    assert tr("en", "fac-export-ready", code="x", rows=1) == "Export of x: 1 row."
    assert tr("en", "fac-export-ready", code="x", rows=2) == "Export of x: 2 rows."
    assert tr("fr", "fac-export-ready", code="x", rows=0) == "Export de x : 0 ligne."
    assert tr("es", "fac-export-ready", code="x", rows=1) == "Exportación de x: 1 fila."
    assert tr("fr", "fac-poll-sent", id=2, count=0, shown="0") == (
        "Le sondage 2 est ouvert, mais personne n'est encore dans son public."
    )


# --- nothing can be checked before it goes to everyone ----------------------------------------


async def test_the_preview_shows_audience_languages_sms_parts_quiet_hours_and_urgency(
    tmp_path: Path, content: Content, database_url: str
) -> None:
    night = Clock(datetime(2026, 11, 30, 19, 0, tzinfo=UTC))  # 22:00 in Nairobi: quiet
    settings = make_settings(tmp_path, database_url=database_url, facilitators=f"console:{ORG}")
    runner, clock = await start(settings, content, night)
    try:
        await join(runner, clock)
        long_es = "¿" + "Qué " * 50 + "primero?"
        preview = await fac(
            runner,
            f"/poll --urgent --to community en: Which first? 💧 | Water | Roads || fr: Quoi d'abord ? | Eau | Routes || es: {long_es} | Agua | Caminos",
        )
        lines = preview.splitlines()
        assert lines[0] == "Preview of your poll, not sent yet:"
        assert lines[1] == "en: Which first? 💧 / 1 Water / 2 Roads"
        assert "To the group Community member (community): <5 participants." in lines
        # the emoji makes English UCS-2 (70 characters a part): two parts, as the long
        # Spanish question takes in GSM-7
        assert "SMS parts per language: en 2 (UCS-2), fr 1, es 2" in lines
        assert (
            "Quiet hours now (21:00-07:00, Africa/Nairobi): it will be held until 07:00." in lines
        )
        assert "Urgent: shown at once, even to people in the middle of a question." in lines
        assert lines[-1].startswith("Send it with /send, drop it with /cancel.")
        # everyone: 6 people, broken down where no small group is given away
        everyone = await fac(runner, "/prompt Hello all")
        assert "To everyone in Water for all: 6 participants." in everyone
        assert "By channel: console 6. By language: English <5, French <5, Spanish <5." in everyone
        assert "It replaces your previous draft, which will not be sent." in everyone
    finally:
        await runner.db.close()


async def test_nothing_goes_out_before_send_and_send_twice_sends_once(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await join(runner, clock)
    preview = await fac(runner, "/poll Which first? | Water | Roads")
    assert preview.startswith("Preview of your poll")
    assert prompts(runner) == 0
    assert await screen(runner, "cy") == []
    assert await fac(runner, "/send") == "Poll 1 sent to 6 participants."
    assert await fac(runner, "/send") == "Poll 1 was already sent."
    assert prompts(runner) == 1
    assert q(runner, "SELECT count(*) FROM broadcasts") == [(1,)]
    assert (await screen(runner, "cy"))[-1].startswith("Poll 1: Which first?")


async def test_send_queues_one_batch_and_the_rest_goes_on_behind(
    world: tuple[TurnRunner, Clock], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facilitator's /send (and on Telegram the updates polled with it) waits for the
    broadcast's first batch only: people writing meanwhile are not held up behind it."""
    runner, clock = world
    await join(runner, clock)
    monkeypatch.setattr(turns_module, "BATCH", 2)
    await fac(runner, "/poll Which first? | Water | Roads")
    assert await fac(runner, "/send") == "Poll 1 sent to 6 participants."

    def reached() -> int:
        return int(q(runner, "SELECT reached FROM broadcasts")[0][0])

    assert reached() == 2  # the first batch, before /send answered
    behind = runner._behind
    assert behind is not None
    await behind
    assert reached() == 6
    assert q(runner, "SELECT count(*) FROM broadcasts WHERE done_at IS NOT NULL") == [(1,)]
    for who in PEOPLE:
        assert "Which first?" in (await screen(runner, who))[-1], who


async def test_cancel_drops_the_preview(world: tuple[TurnRunner, Clock]) -> None:
    runner, clock = world
    await join(runner, clock)
    await fac(runner, "/prompt Hello all")
    assert await fac(runner, "/cancel") == "Cancelled: nothing was sent."
    assert await fac(runner, "/send") == (
        "There is nothing to send or cancel: /prompt, /poll and /share make a preview first."
    )
    assert prompts(runner) == 0 and await screen(runner, "cy") == []


async def test_a_preview_lapses_after_ten_minutes(world: tuple[TurnRunner, Clock]) -> None:
    runner, clock = world
    await join(runner, clock)
    await fac(runner, "/prompt Hello all")
    clock.advance(timedelta(minutes=9, seconds=59))
    await fac(runner, "/poll Still? | Yes | No")  # a newer one: the prompt is replaced
    clock.advance(timedelta(minutes=10))
    assert await fac(runner, "/send") == (
        "The preview lapsed after 10 minutes and nothing was sent: send the command again."
    )
    assert prompts(runner) == 0


async def test_a_preview_survives_a_restart(
    tmp_path: Path, content: Content, database_url: str
) -> None:
    settings = make_settings(tmp_path, database_url=database_url, facilitators=f"console:{ORG}")
    runner, clock = await start(settings, content)
    await join(runner, clock)
    await fac(runner, "/poll Which first? | Water | Roads")
    await runner.db.close()
    runner, _ = await start(settings, content, clock)
    try:
        assert await fac(runner, "/send") == "Poll 1 sent to 6 participants."
        assert (await screen(runner, "dee"))[-1].startswith("Poll 1: Which first?")
    finally:
        await runner.db.close()


async def test_send_applies_only_the_facilitators_own_latest_draft(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await join(runner, clock)
    await fac(runner, "/prompt First idea")
    await fac(runner, "/prompt Second idea")
    # the other facilitator (on Telegram) has nothing to send
    [other] = await say(runner, TG, "/send", channel="telegram")
    assert other.startswith("There is nothing to send")
    assert await fac(runner, "/send") == "Prompt 1 sent to 6 participants."
    assert q(runner, "SELECT texts FROM prompts") == [
        (
            '{"en": {"question": "Second idea"}, "fr": {"question": "Second idea"}, "es": {"question": "Second idea"}}',
        )
    ]


async def test_telegram_preview_buttons_send_and_cancel(world: tuple[TurnRunner, Clock]) -> None:
    runner, clock = world
    await join(runner, clock)
    out = await send(runner, TG, "/poll Which first? | Water | Roads", channel="telegram")
    [preview] = out.messages
    assert preview.question is not None and preview.question.kind == "yesno"
    assert [o.label for o in preview.question.options] == ["Send", "Cancel"]
    old = preview.question.seq
    out = await send(runner, TG, "/prompt Anything else?", channel="telegram")
    [newer] = out.messages
    assert newer.question is not None
    # the first preview's Send button no longer sends anything
    tapped = await say(runner, TG, kind="button", seq=old, picks=(0,), channel="telegram")
    assert tapped == ["That is not your latest preview: nothing was sent."]
    tapped = await say(
        runner, TG, kind="button", seq=newer.question.seq, picks=(0,), channel="telegram"
    )
    assert tapped == ["Prompt 1 sent to 6 participants."]
    assert q(runner, "SELECT kind FROM prompts") == [("prompt",)]
    await send(runner, TG, "/share", channel="telegram")  # no poll yet: refused
    out = await send(runner, TG, "/prompt Third?", channel="telegram")
    [third] = out.messages
    assert third.question is not None
    cancelled = await say(
        runner, TG, kind="button", seq=third.question.seq, picks=(1,), channel="telegram"
    )
    assert cancelled == ["Cancelled: nothing was sent."]
    assert prompts(runner) == 1


async def test_a_redelivered_send_applies_once(world: tuple[TurnRunner, Clock]) -> None:
    runner, clock = world
    await join(runner, clock)
    await say(runner, ORG, "/poll Which? | A | B", ext="u1")
    assert (await send(runner, ORG, "/poll Which? | A | B", ext="u1")).duplicate
    assert q(runner, "SELECT count(*) FROM drafts") == [(1,)]
    assert await say(runner, ORG, "/send", ext="u2") == ["Poll 1 sent to 6 participants."]
    assert (await send(runner, ORG, "/send", ext="u2")).duplicate
    assert prompts(runner) == 1
    assert q(runner, "SELECT count(*) FROM broadcasts") == [(1,)]


# --- the facilitator side in their language ---------------------------------------------------


async def test_french_from_the_telegram_hint_and_spanish_after_lang(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await join(runner, clock)
    [preview] = await say(
        runner, TG, "/poll Quoi d'abord ? | Eau | Routes", channel="telegram", lang_hint="fr"
    )
    assert preview.startswith("Aperçu de votre sondage, pas encore envoyé :")
    assert "Pour tous les participants de De l'eau pour tous : 6 participants." in preview
    assert "Envoyez-le avec /send ou le bouton Envoyer" in preview
    assert await say(runner, TG, "/send", channel="telegram", lang_hint="fr") == [
        "Sondage 1 envoyé à 6 participants."
    ]
    assert await say(runner, TG, "/close abc", channel="telegram", lang_hint="fr") == [
        '"abc" n\'est pas un numéro de sondage.\n'
        "Écrivez /close pour le dernier sondage, ou /close 3 pour le sondage 3."
    ]
    assert await say(runner, TG, "/lang es", channel="telegram", lang_hint="fr") == [
        "Sus respuestas están ahora en español."
    ]
    # stored: Spanish from now on, whatever the app's language
    [results] = await say(runner, TG, "/results", channel="telegram", lang_hint="fr")
    assert results.startswith("Encuesta 1: Quoi d'abord ? (0 votos, abierta)")
    [help_es] = await say(runner, TG, "/start", kind="start", channel="telegram")
    assert help_es.startswith("Usted facilita este diálogo")
    assert (await say(runner, TG, "/lang xx", channel="telegram"))[0].startswith(
        '"xx" no es uno de los idiomas: en, fr, es.'
    )


# --- facilitators are not participants --------------------------------------------------------


async def test_a_facilitator_who_opens_the_chat_is_not_onboarded_nor_counted(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await join(runner, clock)
    for kind, text in (("open", ""), ("start", ""), ("text", "yes"), ("text", "hello")):
        [reply] = await say(runner, ORG, text, kind=kind)
        assert reply.startswith("You facilitate this dialogue, so you do not take part"), reply
    await say(runner, TG, kind="start", channel="telegram")
    assert q(runner, "SELECT count(*) FROM participants") == [(len(PEOPLE),)]
    board = await dashboard.build(runner.db, runner.dialogues["baraza"], clock.now)
    assert board.totals["joined"] == len(PEOPLE)
    assert board.totals["consented"] == len(PEOPLE)


async def test_a_facilitator_added_from_the_command_line_is_not_a_participant(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await join(runner, clock)
    execute(
        runner,
        "INSERT INTO facilitators (address, dialogue, added_at) VALUES"
        " ('tel:+254700000009', 'baraza', '2026-11-30')",
    )
    [reply] = await say(runner, "+254700000009", "Hi", channel="sms", ext="f1")
    assert reply.startswith("You facilitate this dialogue")
    # the turn asked whether it is a facilitator's with the message's claim: the claim is
    # the command's, once (a redelivery gets nothing more)
    assert await say(runner, "+254700000009", "Hi", channel="sms", ext="f1") == []
    assert q(runner, "SELECT count(*) FROM inbound WHERE external_id = 'f1'") == [(1,)]
    assert (await say(runner, "+254700000009", "/poll Q? | A | B", channel="sms"))[0].startswith(
        "Preview of your poll"
    )
    assert q(runner, "SELECT count(*) FROM participants") == [(len(PEOPLE),)]
    # while a participant's message still goes to their flow
    assert (await say(runner, "+254700000010", "Hi", channel="sms"))[0].startswith("Welcome")


async def test_a_participant_made_facilitator_is_answered_as_one(
    world: tuple[TurnRunner, Clock],
) -> None:
    """Asked with the participant's own row (one read): their messages are a
    facilitator's from then on, and their redeliveries still apply once."""
    runner, clock = world
    await join(runner, clock)
    assert not (await say(runner, "ana", "Hi", ext="a1"))[0].startswith("You facilitate")
    execute(
        runner,
        "INSERT INTO facilitators (address, dialogue, added_at) VALUES"
        " ('console:ana', 'baraza', '2026-11-30')",
    )
    [reply] = await say(runner, "ana", "Hi", ext="a2")
    assert reply.startswith(("You facilitate", "Vous animez")), reply
    assert await say(runner, "ana", "Hi", ext="a2") == []
    assert q(runner, "SELECT count(*) FROM inbound WHERE external_id = 'a2'") == [(1,)]


# --- one transaction per command (issue 10) ---------------------------------------------------


async def test_a_command_that_fails_midway_leaves_nothing_and_can_be_redelivered(
    world: tuple[TurnRunner, Clock], monkeypatch: pytest.MonkeyPatch
) -> None:
    runner, clock = world
    await join(runner, clock)
    await say(runner, ORG, "/poll Which? | A | B", ext="c1")

    def crash(*args: object, **kwargs: object) -> int:
        raise RuntimeError("the process dies here")

    monkeypatch.setattr(broadcast_module, "start", crash)
    with pytest.raises(RuntimeError):
        await send(runner, ORG, "/send", ext="c2")
    # nothing of it stayed: the claim, the poll, the draft's state went with it
    assert q(runner, "SELECT count(*) FROM inbound WHERE external_id = 'c2'") == [(0,)]
    assert prompts(runner) == 0
    assert q(runner, "SELECT status FROM drafts") == [("pending",)]
    monkeypatch.undo()
    assert await say(runner, ORG, "/send", ext="c2") == ["Poll 1 sent to 6 participants."]

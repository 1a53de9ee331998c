"""Deliberation on any phone: statements reach people one at a time through their agenda,
they agree, disagree or pass (and may change their mind), propose their own (IDEA, or a
flow's `propose` step), and a flow's `statements` step asks the least voted first."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine.state import Item
from bot.runtime import Content, load_content, open_runner
from bot.turns import TurnRunner
from storage import broadcasts, infos, statements
from storage.conn import Conn
from tests.conftest import ROOT, make_settings
from tests.people import Clock, onboard, phone, pid_of, q, say, screen, stance, use_clock

pytestmark = pytest.mark.backends

SEEDS = [
    {"en": "Water points should be repaired first.", "fr": "Réparons d'abord les points d'eau.",
     "es": "Primero hay que reparar los puntos de agua."},
    {"en": "The council must publish its budget.", "fr": "Le conseil doit publier son budget.",
     "es": "El concejo debe publicar su presupuesto."},
    {"en": "Youth need a seat at the table."},
]  # fmt: skip


@pytest.fixture
async def world(
    tmp_path: Path, content: Content, database_url: str
) -> AsyncIterator[tuple[TurnRunner, Clock]]:
    settings = make_settings(tmp_path, database_url=database_url, facilitators="console:org")
    runner = await open_runner(settings, content)
    clock = Clock()
    use_clock(runner, clock)
    stamp = clock.now.isoformat()

    def seed(conn: Conn) -> None:
        for texts in SEEDS:
            statements.create(conn, "baraza", texts, "en", "facilitator", "approved", stamp)

    await runner.db.write(seed)
    yield runner, clock
    await runner.db.close()


async def start_round(runner: TurnRunner, count: int, now: str) -> None:
    def job(conn: Conn) -> None:
        broadcasts.create(conn, "baraza", f"round:{count}", None, False, now)

    await runner.db.write(job)
    await runner.dispatch()


def stances(runner: TurnRunner) -> list[tuple[int, int]]:
    return [
        (int(s), int(v))
        for s, v in q(
            runner, "SELECT statement_id, vote FROM statement_votes ORDER BY statement_id"
        )
    ]


async def test_a_round_asks_statements_one_at_a_time_then_the_flow_resumes(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await onboard(runner, "ana")
    clock.advance()
    await start_round(runner, 2, clock.now.isoformat())
    seen = await screen(runner, "ana")
    assert seen == ["Statement 3: Youth need a seat at the table.\n1 Agree\n2 Disagree\n3 Pass"]
    reply = await say(runner, "ana", "1")
    assert reply[0].startswith("Thank you! You said: Agree. To change it, send STATEMENT 3.")
    assert reply[0].endswith("Statement 2: The council must publish its budget.")
    reply = await say(runner, "ana", "pass")
    assert reply[0].endswith(runner.tr("en", "onboarding-age"))  # her own question again
    assert stances(runner) == [(2, 0), (3, 1)]


async def test_news_reach_someone_at_rest_in_the_middle_of_a_round(
    world: tuple[TurnRunner, Clock],
) -> None:
    """Common ground shared while a statement waits for Ana's answer (and more wait behind
    it) is told once she is at rest, then the statement again: news need no answer, so
    they do not wait behind questions she may never answer."""
    runner, clock = world
    await onboard(runner, "ana")
    clock.advance()
    await start_round(runner, 2, clock.now.isoformat())
    [statement] = await screen(runner, "ana")
    clock.advance()

    def share(conn: Conn) -> None:
        info = infos.create(conn, "baraza", {"en": "Common ground so far: water."}, "now")
        broadcasts.create(conn, "baraza", Item("info", info).key, None, False, "now")

    await runner.db.write(share)
    await runner.dispatch()
    assert await screen(runner, "ana") == [
        "Common ground so far: water.",
        "Back to where we were:\n\n" + statement,
    ]
    assert (await say(runner, "ana", "1"))[0].endswith(
        "Statement 2: The council must publish its budget."
    )


async def test_a_statement_without_a_translation_says_so_and_votes_are_changeable(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await onboard(runner, "eli", lang="fr")
    clock.advance()
    await start_round(runner, 1, clock.now.isoformat())
    [seen] = await screen(runner, "eli")
    assert seen.startswith("Affirmation 3 : Youth need a seat at the table.\n")
    assert "(Pas encore traduite en Français.)" in seen and "3 Sans avis" in seen
    await say(runner, "eli", "pas d'accord")
    assert stances(runner) == [(3, -1)]
    again = await say(runner, "eli", "AFFIRMATION 3")  # by SMS: asked again, then changed
    assert "Votre réponse : Pas d'accord" in again[-1]
    await say(runner, "eli", "1")
    assert stances(runner) == [(3, 1)]
    thanks = await stance(runner, "eli", 3, 2)  # a Telegram button: Sans avis
    assert thanks[0].startswith("Merci ! Votre réponse : Sans avis.")
    assert stances(runner) == [(3, 0)]


async def test_ideas_are_proposed_for_moderation(world: tuple[TurnRunner, Clock]) -> None:
    runner, _ = world
    await onboard(runner, "cy")
    reply = await say(runner, "cy", "IDEA Clean water for every school")
    assert reply[0].startswith(runner.tr("en", "idea-thanks"))
    assert reply[0].endswith(runner.tr("en", "onboarding-age"))
    asked = await say(runner, "cy", "idea")
    assert asked[0].startswith("What is your idea?")
    too_long = await say(runner, "cy", "x " * 80)
    assert too_long[0].startswith("Please write one short sentence of at most 100 characters")
    await say(runner, "cy", "More buses at night")
    rows = q(
        runner,
        "SELECT texts, origin, source, status, author FROM statements WHERE source = 'participant'",
    )
    assert [(t, o, s, st) for t, o, s, st, _ in rows] == [
        ('{"en": "Clean water for every school"}', "en", "participant", "pending"),
        ('{"en": "More buses at night"}', "en", "participant", "pending"),
    ]
    assert {a for *_, a in rows} == {pid_of(runner, "cy")}
    await say(runner, "new", kind="open")  # not consented: nothing is proposed
    assert (await say(runner, "new", "IDEA Free wifi"))[0].startswith(
        runner.tr("en", "idea-consent-first")
    )
    assert q(runner, "SELECT count(*) FROM statements WHERE source = 'participant'") == [(2,)]


TALK = """id: talk
next: onboarding
steps:
  - id: consent
    type: consent
  - id: idea
    type: propose
  - id: discuss
    type: statements
    count: 2
  - id: thanks
    type: end
"""
TALK_TEXTS = {
    "en": (
        "May we keep your answers?",
        "What should change?",
        "Now, what do others think?",
        "Thanks!",
    ),
    "fr": (
        "Pouvons-nous garder vos réponses ?",
        "Que faut-il changer ?",
        "Et les autres ?",
        "Merci !",
    ),
    "es": ("¿Podemos guardar sus respuestas?", "¿Qué debe cambiar?", "¿Y los demás?", "¡Gracias!"),
}


async def test_a_flow_proposes_then_asks_the_least_voted_statements(
    tmp_path: Path, database_url: str
) -> None:
    flows, locales = tmp_path / "flows", tmp_path / "locales"
    shutil.copytree(ROOT / "flows", flows)
    shutil.copytree(ROOT / "locales", locales)
    (flows / "talk.yaml").write_text(TALK, encoding="utf-8")
    (flows / "dialogues" / "baraza.yaml").write_text(
        (ROOT / "flows" / "dialogues" / "baraza.yaml")
        .read_text(encoding="utf-8")
        .replace("flows: [onboarding]", "flows: [talk]"),
        encoding="utf-8",
    )
    for lang, (consent, idea, discuss, thanks) in TALK_TEXTS.items():
        (locales / lang / "talk.ftl").write_text(
            f"talk-consent = {consent}\ntalk-consent-declined = OK.\ntalk-idea = {idea}\n"
            f"talk-discuss = {discuss}\ntalk-thanks = {thanks}\n",
            encoding="utf-8",
        )
    settings = make_settings(
        tmp_path, database_url=database_url, flows_dir=flows, locales_dir=locales
    )
    runner = await open_runner(settings, load_content(settings))
    try:
        stamp = "2026-11-30T09:00:00+00:00"

        def seed(conn: Conn) -> None:
            for texts in SEEDS:
                statements.create(conn, "baraza", texts, "en", "facilitator", "approved", stamp)
            statements.create(conn, "baraza", {"en": "x"}, "en", "facilitator", "rejected", stamp)

        await runner.db.write(seed)
        await say(runner, "ben", kind="open")
        await say(runner, "ben", "yes")
        await say(runner, "zoe", kind="open")
        await say(runner, "zoe", "yes")
        await say(runner, "zoe", "Night buses")
        await say(runner, "zoe", "1")  # zoe agrees with statement 3
        # ben: statements 1 and 2 have no vote yet, 3 has zoe's: 2 then 1 (newest first)
        reply = await say(runner, "ben", "Schools need water")
        assert reply == [
            "Now, what do others think?",
            "Statement 2: The council must publish its budget.",
        ]
        reply = await say(runner, "ben", "2")
        assert reply == [
            "Thank you! You said: Disagree. To change it, send STATEMENT 2.\n\n"
            "Statement 1: Water points should be repaired first."
        ]
        reply = await say(runner, "ben", "1")  # then the flow goes on: its end, the next flow
        assert reply[:2] == [
            "Thank you! You said: Agree. To change it, send STATEMENT 1.",
            "Thanks!",
        ]
        assert reply[-1].startswith(runner.tr("en", "onboarding-consent"))
        votes = q(
            runner,
            "SELECT statement_id, vote FROM statement_votes WHERE participant_id = ? ORDER BY updated_at",
            (pid_of(runner, "ben"),),
        )
        assert votes == [(2, -1), (1, 1)]
        proposed = q(
            runner, "SELECT texts FROM statements WHERE source = 'participant' ORDER BY id"
        )
        assert proposed == [('{"en": "Night buses"}',), ('{"en": "Schools need water"}',)]
        answers = q(
            runner,
            "SELECT step_id, value FROM answers WHERE participant_id = ?",
            (pid_of(runner, "ben"),),
        )
        assert ("idea", "Schools need water") in answers
    finally:
        await runner.db.close()


async def test_statements_reach_only_consented_people_of_the_dialogue(
    world: tuple[TurnRunner, Clock],
) -> None:
    runner, clock = world
    await onboard(runner, "fay")
    await say(runner, "gus", kind="open")  # at the consent step
    await phone(runner, "gus")
    clock.advance()
    await start_round(runner, 3, clock.now.isoformat())
    assert await phone(runner, "gus") == []
    closed = runner.tr("en", "question-closed")
    assert (await stance(runner, "gus", 1, 0)) == [closed]  # not consented: not counted
    assert stances(runner) == []


# --------------------------------------------------------------------------- facilitators


async def test_a_round_as_a_facilitator_runs_it(
    tmp_path: Path, content: Content, database_url: str
) -> None:
    """Seed, moderate, preview and send a round, people vote in three languages, then the
    report and the common ground shared back, each in the reader's language."""
    settings = make_settings(tmp_path, database_url=database_url, facilitators="console:org")
    runner = await open_runner(settings, content)
    clock = Clock()
    use_clock(runner, clock)
    try:
        org = "org"
        added = await say(
            runner,
            org,
            "/statement en: Repair the water points first. | fr: Réparer d'abord les points d'eau."
            " | es: Primero reparar los puntos de agua.",
        )
        assert added == [
            "Statement 1 added (en, fr, es). /round sends statements to the participants."
        ]
        too_long = await say(runner, org, "/statement " + "x" * 120)
        assert too_long[0].startswith("The en text has 120 characters: at most 100")
        people = [(f"p{i}", ("en", "fr", "es")[i % 3], str(1 + i % 3)) for i in range(30)]
        for who, lang, group in people:
            await onboard(runner, who, lang, group)
        await say(runner, "p0", "IDEA Night buses for workers")
        listed = await say(runner, org, "/statements")
        assert listed[0].startswith(
            "Statements: 1 approved, one proposal waiting.\n2 (en): Night buses for workers"
        )
        approved = await say(
            runner, org, "/approve 2 fr: Des bus de nuit | es: Autobuses nocturnos"
        )
        assert approved == ["Statement 2 approved (en, es, fr)."]
        clock.advance()
        preview = await say(runner, org, "/round --count 2")
        assert preview[0].startswith("Preview of your round of statements, not sent yet:")
        assert "Up to 2 statements each, among 2 approved" in preview[0]
        sent = await say(runner, org, "/send")
        assert sent == ["Round sent: up to 2 statements each to 30 participants."]
        for who, _lang, _group in people:
            await phone(runner, who)
            await say(runner, who, "1")  # agree with the first shown
            await say(runner, who, "1")  # and the second
            await phone(runner, who)
        assert q(runner, "SELECT count(*), sum(vote) FROM statement_votes") == [(60, 60)]
        report = await say(runner, org, "/statements report")
        assert report[0].startswith("Statements: 2, 30 people voted.")
        common = report[0].split("Common ground", 1)[1].split("Divisive", 1)[0]
        assert "1. Repair the water points first." in common
        assert "2. Night buses for workers" in common
        clock.advance()
        await say(runner, org, "/share statements")
        assert (await say(runner, org, "/send")) == [
            "The common ground was shared with 30 participants."
        ]
        shared = await screen(runner, "p1")  # p1 is French
        assert shared[0].startswith(
            "Terrain d'entente jusqu'ici (30 personnes ont participé) :\n1. "
        )
        assert "Des bus de nuit" in shared[0]
    finally:
        await runner.db.close()


async def test_the_dashboard_shows_the_statements(
    world: tuple[TurnRunner, Clock], tmp_path: Path
) -> None:
    from bot.facilitator import dashboard

    runner, clock = world
    for i in range(6):
        await onboard(runner, f"d{i}")
    clock.advance()
    await start_round(runner, 3, clock.now.isoformat())
    for i in range(6):
        await phone(runner, f"d{i}")
        for _ in range(3):
            await say(runner, f"d{i}", "1")
    board = await dashboard.build(
        runner.db, runner.dialogues["baraza"], clock.now, "en", tr=runner.tr, flows=runner.flows
    )
    text = dashboard.text(board)
    assert "Statements: 3, 6 people voted." in text
    assert "Opinion groups (people who vote alike):\n  none yet: fewer than 20 people" in text
    png = dashboard.chart(board, tmp_path / "d.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_statements_and_their_votes_are_in_the_flow_results_package(
    world: tuple[TurnRunner, Clock], tmp_path: Path
) -> None:
    import json

    from bot.facilitator import export, floip

    runner, clock = world
    await onboard(runner, "rae")
    clock.advance()
    await start_round(runner, 1, clock.now.isoformat())
    await phone(runner, "rae")
    await say(runner, "rae", "2")  # disagrees with statement 3
    d = runner.dialogues["baraza"]
    questions = await export.codebook(runner.db, d, runner.flows, runner.tr)
    out = tmp_path / "package"
    await floip.write(runner.db, d, questions, out, lang="fr", now=clock.now)
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    schema = descriptor["resources"][0]["schema"]["questions"]
    assert schema["statement-1"]["type"] == "select_one"
    assert schema["statement-1"]["type_options"]["choices"] == ["agree", "disagree", "pass"]
    assert schema["statement-1"]["labels"]["fra"] == "Réparons d'abord les points d'eau."
    data = next((out / "data").iterdir())
    rows = json.loads(data.read_text(encoding="utf-8"))
    votes = [(r[4], r[5]) for r in rows if r[4].startswith("statement-")]
    assert votes == [("statement-3", "disagree")]
    assert all(r[2] == pid_of(runner, "rae") for r in rows if r[4].startswith("statement-"))

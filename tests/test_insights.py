"""What people said (issue 11): the dashboard in the facilitator's language, with each
question's distribution in dialogue order, scales' medians, open answers and `/answers`,
response rates for every prompt and poll, the chart; all through the small-cell rule.

Twelve people answer the shipped flows through the real turn path on a real SQLite file
(and on PostgreSQL); a facilitator sends a prompt, a poll and more prompts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.facilitator import answers, dashboard
from bot.facilitator.dashboard import Dashboard
from bot.runtime import Content, open_runner
from bot.turns import TurnRunner
from tests.conftest import make_settings
from tests.people import Clock, broadcast, onboard, phone, say, use_clock, vote

pytestmark = pytest.mark.backends

ORG = "org"
PEOPLE = [f"user{i:02d}" for i in range(12)]
LANGS = ["en"] * 8 + ["fr"] * 2 + ["es"] * 2
PHONE = "0712 345 678"


def answers_of(i: int) -> list[str]:
    """Person i's replies from the age question to the end of the feedback flow."""
    replies = [
        "2" if i < 7 else "3",  # age: 7 are 18 to 24, 5 are 25 to 34
        "1" if i < 10 else "2",  # gender: 10 women, 2 men
        "3",  # area: all rural
        f"Challenge {i}: the borehole" + (f", call me on {PHONE}" if i == 11 else ""),
        f"Cause {i}",
        f"Effect {i}",
        f"Tried {i}",
    ]
    if i < 6:  # is anyone missing? 6 yes (then who), 6 no
        replies += ["1", f"Missing {i}"]
    else:
        replies += ["2"]
    replies += [
        "4" if i < 6 else "5",  # urgency
        f"Success {i}",
        "1 3" if i < 6 else "1 2",  # priorities: water for all, then jobs or health
        f"Contribution {i}",
        "5" if i < 9 else "3",  # useful
    ]
    return replies + ([f"Better {i}"] if i < 3 else [])  # what was missing: 3 answer


async def seed(runner: TurnRunner, clock: Clock) -> None:
    for i, who in enumerate(PEOPLE):
        await onboard(runner, who, LANGS[i], "1" if i < 8 else "2")
        for text in answers_of(i):
            await say(runner, who, text)
        await phone(runner, who)
    clock.advance()
    # prompt 1, answered by six; poll 2, voted by three
    await broadcast(
        runner,
        ORG,
        "/prompt en: What should the next session discuss? | fr: De quoi parler ? | es: ¿De qué hablar?",
    )
    for i, who in enumerate(PEOPLE[:6]):
        await phone(runner, who)
        await say(runner, who, f"Next session: topic {i}")
        clock.advance(timedelta(seconds=1))
    clock.advance()
    await broadcast(
        runner,
        ORG,
        "/poll en: Which first? | Water | Roads || fr: Quoi d'abord ? | Eau | Routes || es: ¿Qué primero? | Agua | Caminos",
    )
    for who in PEOPLE[:3]:
        await vote(runner, who, 2, 0)


@pytest.fixture
async def rig(
    tmp_path: Path, content: Content, database_url: str
) -> AsyncIterator[tuple[TurnRunner, Settings, Clock]]:
    settings = make_settings(tmp_path, database_url=database_url, facilitators=f"console:{ORG}")
    runner = await open_runner(settings, content)
    clock = Clock()
    use_clock(runner, clock)
    await seed(runner, clock)
    yield runner, settings, clock
    await runner.db.close()


async def board_in(runner: TurnRunner, clock: Clock, lang: str = "en", page: int = 1) -> Dashboard:
    return await dashboard.build(
        runner.db,
        runner.dialogues["baraza"],
        clock.now,
        lang,
        tr=runner.tr,
        flows=runner.flows,
        page=page,
    )


def block(text: str, heading: str) -> list[str]:
    """The lines of one part of the dashboard's text, from its heading on."""
    for part in text.split("\n\n"):
        if part.startswith(heading):
            return part.splitlines()
    raise AssertionError(f"no {heading!r} in {text}")


async def test_what_people_said_in_dialogue_order(rig: tuple[TurnRunner, Settings, Clock]) -> None:
    runner, _, clock = rig
    text = dashboard.text(await board_in(runner, clock))
    said = block(text, "What people said")
    # flows in dialogue order (onboarding, explore, vision, feedback), steps in file order;
    # the group and language questions are the stakeholder groups and languages above
    assert [line for line in said if not line.startswith(" ")] == [
        "What people said", "onboarding", "explore", "vision", "feedback",
    ]  # fmt: skip
    asked = [
        "onboarding-age", "onboarding-gender", "onboarding-area", "explore-challenge",
        "explore-causes", "explore-effects", "explore-tried", "explore-missing",
        "explore-who_missing", "explore-urgency", "vision-success", "vision-priorities",
        "vision-contribution", "feedback-useful", "feedback-missing",
    ]  # fmt: skip
    questions = [x for x in said if x.startswith("  ") and not x.startswith("    ")]
    labels = [dashboard.short(runner.tr("en", q)) for q in asked]
    assert len(questions) == len(asked)
    for question, label in zip(questions, labels, strict=True):
        assert question.startswith(f"  {label} "), (question, label)
    line = dict(
        zip(
            [
                q.replace("feedback-missing", "feedback-feedback_missing").split("-", 1)[1]
                for q in asked
            ],
            questions,
            strict=True,
        )
    )
    assert line["age"].endswith(
        "12 answered: Under 18 0 (0%), 18 to 24 7 (58%), 25 to 34 5 (42%), 35 to 49 0 (0%),"
        " 50 to 64 0 (0%), 65 or older 0 (0%), Prefer not to say 0 (0%)"
    )
    # 2 men: under 5, and another option hidden with them, else 12 - 10 would give them away
    assert line["gender"].endswith(
        "12 answered: Woman 10 (83%), Man <5, Other <5, Prefer not to say 0 (0%)"
    )
    assert line["missing"].endswith("12 answered: Yes 6 (50%), No 6 (50%)")
    assert line["urgency"].endswith(
        "12 answered · median 4.5, middle half 4 to 5: 1 0 (0%), 2 0 (0%), 3 0 (0%), 4 6 (50%), 5 6 (50%)"
    )
    # a value with 3 answers: the quartiles could pin it down, so no median
    assert "median not shown" in line["useful"]
    assert line["useful"].endswith(": 1 <5, 2 0 (0%), 3 <5, 4 0 (0%), 5 9 (75%)")
    # several answers each: people who answered, and each option's choices
    assert line["priorities"].endswith(
        "12 answered: Water 12 (100%), Health 6 (50%), Jobs and income 6 (50%), Education 0 (0%),"
        " Safety 0 (0%), Land 0 (0%), Good governance 0 (0%), Other 0 (0%)"
    )
    # open questions: the count, the latest three (newest first), and where to read more
    challenge = said.index(line["challenge"])
    assert said[challenge].endswith("12 answers")
    assert said[challenge + 1 : challenge + 5] == [
        '    "Challenge 11: the borehole, call me on …"',  # a phone number is masked
        '    "Challenge 10: the borehole"',
        '    "Challenge 9: the borehole"',
        "    read them: /answers explore-challenge",
    ]
    # three answers: too few to quote
    assert line["feedback_missing"].endswith("<5 answers · shown from 5 answers on")
    assert "Better 0" not in text and PHONE not in text
    # flows finished in dialogue order, not alphabetical
    assert "Finished: onboarding 12, explore 12, vision 12, feedback <5" in text
    assert "Still at (where people stop):\n  feedback › missing: 9" in text


async def test_prompts_and_polls_every_item_paged(rig: tuple[TurnRunner, Settings, Clock]) -> None:
    runner, _, clock = rig
    items = block(dashboard.text(await board_in(runner, clock)), "Prompts and polls")
    assert items == [
        "Prompts and polls (newest first):",
        '  Poll 2 "Which first?": <5 of 12 answered',
        '  Prompt 1 "What should the next session discuss?": 6 of 12 answered (50%)',
        '    "Next session: topic 5"',
        '    "Next session: topic 4"',
        '    "Next session: topic 3"',
        "    read them: /answers 1",
    ]
    for n in range(10):
        await broadcast(runner, ORG, f"/prompt Question {n}?")
    first = await board_in(runner, clock)
    assert (first.items_total, first.pages) == (12, 2)
    shown = block(dashboard.text(first), "Prompts and polls")
    assert shown[0] == "Prompts and polls, page 1 of 2 (newest first):"
    assert [x.split('"')[1] for x in shown if x.startswith("  Prompt")] == [
        f"Question {n}?" for n in range(9, -1, -1)
    ]
    assert shown[-1] == "All 12 are on the web pages (/web)."
    # the poll with 3 votes does not disappear: it is on page 2
    second = block(dashboard.text(await board_in(runner, clock, page=2)), "Prompts and polls")
    assert second[1] == '  Poll 2 "Which first?": <5 of 12 answered'
    assert block(dashboard.text(await board_in(runner, clock, page=9)), "Prompts and polls") == second
    # no empty "by group:" anywhere, and the poll is still the latest in the chart
    assert "by group" not in dashboard.text(first)
    assert first.latest_poll is not None and first.latest_poll.row.id == 2


async def test_the_facilitators_language(rig: tuple[TurnRunner, Settings, Clock]) -> None:
    runner, _, clock = rig
    fr = await board_in(runner, clock, "fr")
    text = dashboard.text(fr)
    assert text.startswith(
        "Tableau de bord : De l'eau pour tous (baraza)\nInscrits 12 | consentants 12"
    )
    assert "  Communauté : 8 / 48" in text and "  Société civile : <5 / 18" in text
    assert "Par canal : Console 12" in text
    assert "Par langue : anglais 8, espagnol <5, français <5" in text
    said = block(text, "Ce que les gens ont dit")
    assert any(
        x.startswith("  Quel est votre genre ? 12 réponses : Femme 10 (83 %), Homme <5")
        for x in said
    ), said
    assert "  Sondage 2 « Quoi d'abord ? » : <5 réponses sur 12" in text
    es = dashboard.text(await board_in(runner, clock, "es"))
    assert es.startswith("Tablero: Agua para todos (baraza)")
    assert "Lo que dijo la gente" in es and "Por idioma: inglés 8, español <5, francés <5" in es
    # the chart too: titles, legends, group and option labels
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    fig = dashboard.figure(fr)
    words = {t.get_text() for t in fig.findobj(Text)}
    plt.close(fig)
    assert "De l'eau pour tous : qui est à la table" in words
    assert {"Communauté", "Société civile", "attendus", "Eau", "Routes"} <= words
    assert "Sondage 2 : Quoi d'abord ? (<5 votes)" in words
    assert "community" not in words and "civil-society" not in words
    # a bar under 5 is not drawn, only labelled
    assert "<5" in words


async def test_chat_messages_fit_and_carry_the_chart(
    rig: tuple[TurnRunner, Settings, Clock],
) -> None:
    runner, settings, clock = rig
    for n in range(12):
        await broadcast(runner, ORG, "/prompt " + f"A long question number {n} " * 20)
    board = await board_in(runner, clock)
    sent = dashboard.messages(board, settings.files_dir / "chart.png")
    assert len(sent) >= 3 and all(len(m.text) <= 4096 for m in sent)
    assert sent[0].attachment is not None and sent[0].text.startswith("Dashboard: Water for all")
    assert Path(sent[0].attachment).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert all(m.attachment is None for m in sent[1:])
    lines = [x for m in sent for x in m.text.splitlines() if x]
    assert lines == [x for x in dashboard.text(board).splitlines() if x]


async def test_answers_page_by_page(rig: tuple[TurnRunner, Settings, Clock]) -> None:
    runner, _, _ = rig
    d = runner.dialogues["baraza"]

    async def read(wanted: str, page: int = 1, lang: str = "en") -> str:
        return (
            await answers.message(runner.db, d, runner.flows, runner.tr, wanted, page, lang)
        ).text

    first = (await read("explore-challenge")).splitlines()
    assert first[0] == (
        "What is the main challenge this dialogue should deal with? Please answer in your own"
        " words. (12 answers), page 1 of 2:"
    )
    assert first[1:4] == [
        "1. Challenge 11: the borehole, call me on …",
        "2. Challenge 10: the borehole",
        "3. Challenge 9: the borehole",
    ]
    assert len(first) == 11
    second = (await read("challenge", 2)).splitlines()  # a step's id alone will do
    assert second[1:] == ["11. Challenge 1: the borehole", "12. Challenge 0: the borehole"]
    assert (await read("explore-challenge", 3)).endswith("there are 2 pages of answers.")
    assert (await read("1")).splitlines()[1] == "1. Next session: topic 5"  # prompt 1
    assert (await read("prompt-1", lang="fr")).startswith(
        "De quoi parler ? (6 réponses), page 1 sur 1 :"
    )
    assert (await read("feedback-missing")).startswith(
        "What was missing, or what could we do better?: fewer than 5 answers so far."
    )
    unknown = await read("nothing")
    assert unknown.startswith('No open question "nothing". Open questions: explore-challenge,')
    assert unknown.endswith("feedback-missing, prompt-1")
    assert (await read("")).startswith(
        "Write /answers ID [page], e.g. /answers explore-challenge 2"
    )
    # a poll is not an open question, and nothing of another dialogue is reachable
    assert (await read("poll-2")).startswith('No open question "poll-2"')


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_every_dashboard_text_renders(content: Content, lang: str) -> None:
    """Fluent fails silently on a missing variable: render each text with its variables."""
    from fluent.syntax import ast

    from bot.check import _variables

    bundle = content.tr.bundles[lang]
    for f in content.tr.files:
        if f.lang != lang or f.path.name not in ("dashboard.ftl", "web.ftl"):
            continue
        for entry in f.resource.body:
            if isinstance(entry, ast.Message) and entry.value is not None:
                args = {v: "7" for v in _variables(entry.value)}
                message = bundle.get_message(entry.id.name)
                assert message.value is not None
                text, errors = bundle.format_pattern(message.value, args)
                assert isinstance(text, str)
                assert errors == [] and "{" not in text, (entry.id.name, errors)


async def test_latest_poll_by_group_only_where_5_voted(
    rig: tuple[TurnRunner, Settings, Clock],
) -> None:
    runner, _, clock = rig
    clock.advance()
    await broadcast(runner, ORG, "/poll Meet where? | Church | School")
    for i, who in enumerate(PEOPLE[:10]):  # 8 community members, 2 from civil society
        await vote(runner, who, 3, 0 if i % 3 else 1)
    items = block(dashboard.text(await board_in(runner, clock)), "Prompts and polls")
    poll = next(i for i, x in enumerate(items) if "Poll 3" in x)
    # 4 votes for School, and 2 civil society voters: the figures that would give them
    # away are hidden too (the same figures as /results and /share); 10 in all is safe
    assert items[poll : poll + 4] == [
        '  Poll 3 "Meet where?": 10 of 12 answered (83%)',
        "    Church 5+, School <5",
        "    by stakeholder group (5 voters or more):",
        "      Community member: 5+ (Church 5, School <5)",
    ]
    assert "Civil society" not in "\n".join(items)  # 2 voters: counted above, not broken down
    # the older poll (3 votes) has no breakdown at all
    assert items[poll + 4] == '  Poll 2 "Which first?": <5 of 12 answered'

"""Facilitators' sessions in French, as the README shows them: run one to see its output.

    .venv/bin/python docs/sessions.py poll     # a poll: preview, send, results, dashboard
    .venv/bin/python docs/sessions.py round    # a round of statements, and its report
    .venv/bin/python docs/sessions.py readme   # write both into README.md

Each runs the real turn runner on a throwaway SQLite file (or on the new database `main`
is given: the test runs it on PostgreSQL too) with the repository's flows and texts. 23
people join on the console (most in French, some in English and Spanish) and answer the
onboarding; then Awa, a facilitator, works in French while Fatou, a
participant, answers on her phone. The clock is fixed at a weekday morning in the
dialogue's time zone, so quiet hours never hold a broadcast and the transcript is the
same on every run. `tests/test_readme.py` checks that the README shows what these print.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.channels.text import render  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.engine.io import Inbound  # noqa: E402
from bot.runtime import load_content, open_runner  # noqa: E402
from bot.turns import Envelope, TurnRunner  # noqa: E402
from storage import outbox  # noqa: E402
from storage.conn import Conn  # noqa: E402

FACILITATOR = "console:awa"
START = datetime(2027, 1, 13, 6, 30, tzinfo=UTC)  # 09:30 in Nairobi, a Wednesday

NAMES = [
    "fatou", "moussa", "aminata", "jean", "claire", "ibrahim", "awa-d", "nadia", "omar",
    "sophie", "yves", "mariam", "paul", "kadi", "grace", "peter", "joy", "samuel", "ruth",
    "lucia", "mateo", "elena", "diego",
]  # fmt: skip
LANGUAGES = "2" * 13 + "1" * 6 + "3" * 4  # menu numbers: 13 French, 6 English, 4 Spanish
VOTES = "11213121312131211213121"  # 1 water, 2 roads, 3 schools


def person(i: int) -> tuple[str, str, str, str, str, str, str]:
    """name, language, group, age, gender, area, vote: menu numbers, as people type them."""
    group = "1" if i % 4 < 2 else str(i % 4)  # half community, the rest two other groups
    age, gender, area = str(2 + i % 3), str(1 + i % 2), str(1 + i % 3 % 2)
    return NAMES[i], LANGUAGES[i], group, age, gender, area, VOTES[i]


PEOPLE = [person(i) for i in range(len(NAMES))]
CONSENT = {"1": "yes", "2": "oui", "3": "sí"}

POLL = (
    "/poll --closes 48h fr: Quelle priorité pour la prochaine séance ? | L'eau | Les routes"
    " | Les écoles || en: Which priority for the next session? | Water | Roads | Schools"
)


class Session:
    def __init__(self, runner: TurnRunner) -> None:
        self.runner = runner
        self.now = START

    def clock(self) -> datetime:
        return self.now

    async def said(self, who: str, text: str, kind: str = "text") -> None:
        inbound = Inbound(kind=kind, text=text)  # type: ignore[arg-type]
        await self.runner.handle(Envelope("console", who, inbound))
        await self.runner.dispatch()

    async def screen(self, who: str) -> list[str]:
        """Deliver what is queued for `who`, in the sender's order, as the console shows it."""
        address = who
        shown: list[str] = []
        while True:
            rows = await self.runner.db.write(partial(_claim, address=address))
            if not rows:
                return shown
            for row in rows:
                shown.append(render(row.message))
                await self.runner.db.write(partial(_sent, row_id=row.id, at=self.now))

    async def show(self, who: str, text: str) -> str:
        """One line typed by `who`, and everything their console prints after it."""
        await self.said(who, text)
        print(f"> {text}")
        shown = await self.screen(who)
        for message in shown:
            print(message)
            print()
        return "\n".join(shown)


def _claim(conn: Conn, address: str) -> list[outbox.Outgoing]:
    return outbox.claim(conn, "console", float("inf"), 1, address=address)


def _sent(conn: Conn, row_id: int, at: datetime) -> None:
    outbox.sent(conn, row_id, None, at.isoformat())


async def main(scene: str, database_url: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,
            database_url=database_url or f"sqlite:///{Path(tmp) / 'baraza.sqlite3'}",
            files_dir=Path(tmp) / "files",
            flows_dir=ROOT / "flows",
            locales_dir=ROOT / "locales",
            telegram_bot_token="",
            twilio_account_sid="",
            twilio_auth_token="",
            facilitators=FACILITATOR,
        )
        runner = await open_runner(settings, load_content(settings))
        session = Session(runner)
        runner.clock = session.clock
        if runner.commands is not None:
            runner.commands.clock = session.clock  # type: ignore[attr-defined]
        try:
            await join(session)
            await SCENES[scene](session)
        finally:
            await runner.db.close()


async def join(s: Session) -> None:
    """Everyone joins and answers the onboarding; an hour later they are at rest."""
    for name, lang, group, age, gender, area, _ in PEOPLE:
        await s.said(name, "", kind="open")
        for answer in (CONSENT[lang], lang, group, age, gender, area):
            await s.said(name, answer)
        await s.screen(name)
    s.now += timedelta(hours=1)


async def fatou(s: Session) -> None:
    print("## Fatou, sur son téléphone\n")
    for shown in await s.screen("fatou"):
        print(shown)
        print()


async def poll(s: Session) -> None:
    print("## Awa, facilitatrice\n")
    for command in ("/lang fr", "/poll Quelle priorité ? | L'eau | L'eau", POLL, "/send"):
        await s.show("awa", command)

    await fatou(s)
    await s.show("fatou", "1")
    for name, *_, pick in PEOPLE[1:]:
        await s.screen(name)
        await s.said(name, pick)
    s.now += timedelta(hours=2)

    print("## Awa\n")
    for command in ("/results", "/share", "/send"):
        await s.show("awa", command)

    await fatou(s)
    for name, *_ in PEOPLE[1:]:
        await s.screen(name)
    print("## Awa\n")
    await s.show("awa", "/dashboard")


STATEMENTS = [
    "fr: L'eau potable doit être gratuite pour les familles pauvres."
    " | en: Drinking water should be free for poor families.",
    "fr: Chaque quartier a besoin d'une borne-fontaine. | en: Every neighbourhood needs a standpipe.",
    "fr: Les compteurs d'eau prépayés sont une bonne idée. | en: Prepaid water meters are a good idea.",
    "fr: La commune doit publier ses dépenses pour l'eau."
    " | en: The council should publish what it spends on water.",
    "fr: Une entreprise privée gérerait mieux le réseau."
    " | en: A private company would run the network better.",
    "fr: Des femmes doivent siéger au comité de l'eau. | en: Women must sit on the water committee.",
    "fr: Le prix de l'eau doit augmenter pour payer le réseau."
    " | en: The price of water should rise to pay for the network.",
]
IDEA = "Réparer les fuites avant de poser de nouveaux tuyaux."
IDEA_EN = "Fix the leaks before laying new pipes."
# How the two camps vote on statements 1 to 8 (8: Fatou's idea): 1 agree, 2 disagree, 3 pass.
CAMPS = {"residents": "11212121", "managers": "21111311"}
HEAD = re.compile(r"^(?:Affirmation|Statement|Afirmación) (\d+)", re.M)


def camp(i: int, group: str) -> str:
    """Most of the community in one camp, the other groups in the other, a few across."""
    across = i in (4, 9, 14)
    return "residents" if (group == "1") != across else "managers"


async def vote_round(s: Session, name: str, plan: str, shown: str = "") -> None:
    """Answer each statement as it comes, until none is left."""
    while shown := shown or "\n".join(await s.screen(name)):
        found = HEAD.findall(shown)
        if not found:
            return
        await s.said(name, plan[int(found[-1]) - 1])
        shown = ""


async def round_(s: Session) -> None:
    print("## Awa, facilitatrice\n")
    await s.show("awa", "/lang fr")
    for statement in STATEMENTS:
        await s.said("awa", f"/statement {statement}")
        await s.screen("awa")
    print("(… sept affirmations ajoutées avec /statement fr: … | en: …)\n")

    print("## Fatou, sur son téléphone\n")
    await s.show("fatou", "IDEE")
    await s.show("fatou", IDEA)
    s.now += timedelta(minutes=20)

    print("## Awa\n")
    for command in ("/statements", f"/approve 8 en: {IDEA_EN}", "/round --count 8", "/send"):
        await s.show("awa", command)

    await fatou(s)
    await s.show("fatou", "1")
    shown = await s.show("fatou", "3")
    await vote_round(s, "fatou", CAMPS[camp(0, PEOPLE[0][2])], shown)
    for i, (name, _, group, *_) in enumerate(PEOPLE[1:], start=1):
        await vote_round(s, name, CAMPS[camp(i, group)])
    s.now += timedelta(hours=3)

    print("## Awa\n")
    for command in ("/statements report", "/share statements", "/send"):
        await s.show("awa", command)
    await fatou(s)


SCENES = {"poll": poll, "round": round_}


async def update_readme() -> None:
    """Replace each `<!-- session: NAME -->` block of the README with what NAME prints."""
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    for scene in SCENES:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            await main(scene)
        block = re.compile(
            rf"(<!-- session: {scene} -->\n```text\n).*?(\n```\n<!-- /session -->)", re.S
        )
        shown = out.getvalue().rstrip("\n")

        def put(m: re.Match[str], shown: str = shown) -> str:
            return m[1] + shown + m[2]

        text, found = block.subn(put, text)
        if not found:
            sys.exit(f"README.md: no <!-- session: {scene} --> block")
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    scene = sys.argv[1] if len(sys.argv) > 1 else "poll"
    asyncio.run(update_readme() if scene == "readme" else main(scene))

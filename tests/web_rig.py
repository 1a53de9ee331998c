"""A dialogue to look at: two dialogues (the shipped `baraza` and a small `river`), people
joined through the real turn path on several channels, a poll and a prompt. Shared by the
fast page tests (tests/test_web.py) and the browser tests (tests/test_web_browser.py)."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from bot.engine.io import Inbound
from bot.turns import Envelope, TurnRunner
from tests.people import phone

ROOT = Path(__file__).resolve().parent.parent
ORG = "org"
"""console:org facilitates every dialogue."""
LINA = "lina"
"""console:lina facilitates `baraza` only."""
FACILITATORS = f"console:{ORG}, console:{LINA}@baraza"
RIVER_TITLE = "Rivers and fisheries"
RIVER = f"""code: river
title: {{en: {RIVER_TITLE}, fr: Rivières et pêche, es: Ríos y pesca}}
flows: [onboarding]
languages: [en, fr, es]
target_total: 40
targets: {{community: 0.5, government: 0.25, business: 0.25}}
"""
LANGUAGE = {"en": "1", "fr": "2", "es": "3"}
GROUP = {"community": "1", "civil-society": "2", "government": "3", "business": "4"}
# (channel, address, dialogue, language, group or None to stop at the group question)
PEOPLE = [
    *(("telegram", f"88010{i}", "baraza", "enfrfresenfr"[2 * i - 2 : 2 * i], "community")
      for i in range(1, 6)),
    ("sms", "+254711000106", "baraza", "en", "community"),
    ("sms", "+254711000107", "baraza", "fr", "community"),
    *(("sms", f"+25471100020{i}", "baraza", "en", "civil-society") for i in range(1, 6)),
    ("telegram", "880301", "baraza", "es", "government"),
    ("telegram", "880302", "baraza", "en", "government"),
    ("sms", "+254711000401", "baraza", "fr", "business"),
    ("telegram", "880501", "baraza", "en", None),
    *(("telegram", f"99010{i}", "river", "en", "community") for i in range(1, 7)),
]  # fmt: skip
POLL = (
    "/poll --urgent en: Which first? | Water | Roads || fr: Quoi d'abord ? | Eau | Routes"
    " || es: ¿Qué primero? | Agua | Caminos"
)
PROMPT = "/prompt en: What should the first session discuss? | fr: De quoi parler ? | es: ¿De qué hablar?"
RIVER_POLL = "/poll --dialogue river Nets or boats? | Nets | Boats"


def flows_with_two_dialogues(tmp: Path) -> Path:
    """The shipped flows plus a second dialogue, `river`."""
    target = tmp / "flows"
    shutil.copytree(ROOT / "flows", target)
    (target / "dialogues" / "river.yaml").write_text(RIVER, encoding="utf-8")
    return target


async def say(runner: TurnRunner, channel: str, who: str, text: str) -> list[str]:
    out = await runner.handle(Envelope(channel, who, Inbound(text=text)))
    return [m.text for m in out.messages]


async def preview_then_send(runner: TurnRunner, who: str, command: str) -> list[str]:
    """A facilitator's broadcast from the console: its preview, then /send."""
    assert "/send" in (await say(runner, "console", who, command))[-1]
    return await say(runner, "console", who, "/send")


async def seed(runner: TurnRunner) -> None:
    """Everyone in PEOPLE joins and answers up to their group; a poll, votes, a prompt."""
    for channel, who, dialogue, lang, group in PEOPLE:
        await runner.handle(Envelope(channel, who, Inbound(kind="start", code=dialogue)))
        await say(runner, channel, who, "yes")
        await say(runner, channel, who, LANGUAGE[lang])
        if group is not None:
            await say(runner, channel, who, GROUP[group])
    # One person joins and never consents; one stops.
    await runner.handle(Envelope("telegram", "880601", Inbound(kind="start", code="baraza")))
    await runner.handle(Envelope("sms", "+254711000701", Inbound(kind="start", code="baraza")))
    await say(runner, "sms", "+254711000701", "yes")
    await say(runner, "sms", "+254711000701", "STOP")
    assert (await preview_then_send(runner, ORG, POLL))[0].startswith("Poll 1 sent")
    for channel, who, *_ in PEOPLE:  # the poll reaches their phones (urgent: at once)
        await phone(runner, who, channel)
    for channel, who, _d, _l, group in PEOPLE:
        if group == "community" and who != "+254711000107" and _d == "baraza":
            await say(runner, channel, who, "1")  # Water: 6 votes
        elif group == "civil-society" and who.endswith(("201", "202")):
            await say(runner, channel, who, "2")  # Roads: 2 votes
    assert (await preview_then_send(runner, ORG, PROMPT))[0].startswith("Prompt 2 sent")
    assert (await preview_then_send(runner, ORG, RIVER_POLL))[0].startswith("Poll 3 sent")


def addresses() -> list[str]:
    """Every participant address the seed used (none may appear on a page)."""
    return [who for _c, who, *_ in PEOPLE] + ["880601", "+254711000701"]


LINK = re.compile(r"https?://\S+/web/login/[A-Za-z0-9_-]+")


def link_in(texts: list[str]) -> str:
    for text in texts:
        if m := LINK.search(text):
            return m.group(0)
    raise AssertionError(f"no login link in {texts!r}")


INLINE = {"a", "strong", "small", "span", "em", "b", "i"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.parts: list[str] = []
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in INLINE:
            self.parts.append(" ")
        if tag in ("style", "script", "title"):
            self._skip += 1
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag not in INLINE:
            self.parts.append(" ")
        if tag in ("style", "script", "title"):
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None:
            if self.rows:
                self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)
        if self._cell is not None:
            self._cell.append(data)


def visible_text(html: str) -> str:
    """What a reader sees of a page, whitespace collapsed."""
    p = _Text()
    p.feed(html)
    return " ".join("".join(p.parts).split())


def table_rows(html: str) -> list[list[str]]:
    """Every table row of a page as its cells' texts."""
    p = _Text()
    p.feed(html)
    return [r for r in p.rows if r]

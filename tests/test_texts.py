"""What the shipped texts promise participants: the keywords they advertise work and agree
with one another, the consent says honestly what is kept, and onboarding stays one SMS a
message."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict

import pytest

from bot.engine.keywords import parse
from bot.languages import load
from bot.runtime import Content
from tests.conftest import ROOT

LANGS = ("en", "fr", "es")
SHOUTED = re.compile(r"\b[A-ZÁÉÍÓÚÑ]{3,}\b")


LEXICON = load(ROOT / "locales")


def commands(text: str) -> list[str]:
    """The keyword commands a text tells people to send (`Send STOP` -> stop)."""
    return [c.keyword for w in SHOUTED.findall(text) if (c := parse(w, LEXICON)) is not None]


def every_text(content: Content, lang: str) -> dict[str, str]:
    texts = {}
    for f in content.tr.files:
        if f.lang != lang:
            continue
        for entry in f.resource.body:
            msg_id = getattr(getattr(entry, "id", None), "name", None)
            if msg_id and getattr(entry, "value", None) is not None:
                texts[msg_id] = content.tr(lang, msg_id, dialogue="Water for all")
    return texts


@pytest.mark.parametrize("lang", LANGS)
def test_every_text_advertises_the_same_keyword_for_a_command(content: Content, lang: str) -> None:
    """`Send HELP` in the welcome and `AIDE` in the re-prompt would leave a French
    participant unsure which one works: one word per command and language."""
    words: dict[str, set[str]] = defaultdict(set)
    for text in every_text(content, lang).values():
        for word in SHOUTED.findall(text):
            command = parse(word, LEXICON)
            if command is not None:
                words[command.keyword].add(word)
    assert {kw: len(w) for kw, w in words.items() if len(w) != 1} == {}
    assert {"stop", "help", "delete"} <= set(words)
    about = every_text(content, lang)["onboarding-about"]
    assert set(commands(about)) == {"stop", "help"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_consent_says_what_is_kept_and_how_to_erase_it(content: Content, lang: str) -> None:
    texts = every_text(content, lang)
    consent = texts["onboarding-consent"]
    assert "delete" in commands(consent)
    # an address and a profile are kept: nothing may call the answers anonymous
    assert [i for i, t in texts.items() if re.search(r"anonym|anónim", t, re.IGNORECASE)] == []


def test_onboarding_is_one_sms_per_message() -> None:
    """What `baraza check --sms` shows for onboarding: every message one segment."""
    env = {**os.environ, "SMS_GSM_FALLBACK": "true", "LOCALES_DIR": str(ROOT / "locales")}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check", "flows", "--sms"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("onboarding ")]
    table = {(r[1], r[2]): r[5] for r in rows if len(r) == 6 and r[3] in ("GSM-7", "UCS-2")}
    assert len(table) == 10 * 3  # nine steps and the consent's -declined, in three languages
    assert {key: n for key, n in table.items() if n != "1"} == {}


@pytest.mark.parametrize("lang", LANGS)
def test_every_question_is_asked_as_a_question(content: Content, lang: str) -> None:
    """`Vous avez :` over a list of ages reads as a form, not a question."""
    not_asked = [
        f"{flow.id}-{step.id}"
        for flow in content.library.flows.values()
        for step in flow.steps
        if step.type not in ("message", "end") and step.save != "language"
        if "?" not in content.tr(lang, f"{flow.id}-{step.id}")
    ]
    assert not_asked == []

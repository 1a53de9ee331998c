"""The console channel end to end, through a real `baraza chat` subprocess and piped stdin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.runtime import Content
from tests.conftest import ROOT

REPLIES = {
    # consent, language, group, age, gender, area, then explore's open questions
    "fr": ["oui", "2", "deux", "4", "1", "3", "Le manque d'eau", "La sécheresse", "Les enfants ont soif",
           "Des puits", "non", "4"],
    "es": ["sí", "3", "dos", "4", "1", "3", "La falta de agua", "La sequía", "Los niños tienen sed",
           "Pozos", "no", "4"],
    "en": ["yes", "1", "two", "4", "1", "3", "Lack of water", "Drought", "Children are thirsty",
           "Wells", "no", "4"],
}  # fmt: skip


def chat(tmp_path: Path, lines: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TWILIO_"))}
    env.update(
        DATABASE_PATH=str(tmp_path / "chat.sqlite3"),
        FLOWS_DIR=str(ROOT / "flows"),
        LOCALES_DIR=str(ROOT / "locales"),
    )
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", *args],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def bot_lines(stdout: str) -> str:
    """What the bot said: stdout without the echoed `> line` of what was typed."""
    return "".join(x for x in stdout.splitlines(True) if not x.startswith("> "))


def known_texts(content: Content, lang: str) -> set[str]:
    texts = set()
    for bundle_file in content.tr.files:
        if bundle_file.lang != lang:
            continue
        for entry in bundle_file.resource.body:
            msg_id = getattr(getattr(entry, "id", None), "name", None)
            if msg_id:
                title = content.dialogues["baraza"].title_in(lang)
                texts.add(content.tr(lang, msg_id, dialogue=title).split("\n")[0])
    return texts


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_onboarding_and_explore_in_each_language(
    tmp_path: Path, content: Content, lang: str
) -> None:
    result = chat(tmp_path, REPLIES[lang], "--lang", lang, "--as", "ana")
    assert result.returncode == 0, result.stderr
    blocks = [b for b in bot_lines(result.stdout).split("\n\n") if b.strip()]
    own = known_texts(content, lang)
    for block in blocks:
        first = block.split("\n")[0]
        assert first in own, f"not {lang}: {first!r}"
    # the last question asked is explore's urgency scale, answered with 4: explore ends
    assert blocks[-1].split("\n")[0] == content.tr(lang, "vision-success")
    assert result.stderr == ""


def test_quitting_and_coming_back_resumes(tmp_path: Path, content: Content) -> None:
    first = chat(tmp_path, ["oui", "2"], "--lang", "fr", "--as", "ana")
    assert first.returncode == 0
    again = chat(tmp_path, ["3"], "--as", "ana")
    blocks = [b for b in bot_lines(again.stdout).split("\n\n") if b.strip()]
    assert blocks[0].startswith(content.tr("fr", "welcome-back"))
    assert content.tr("fr", "onboarding-group") in blocks[1]
    assert blocks[-1].startswith(content.tr("fr", "onboarding-age"))
    # another name is another participant
    other = chat(tmp_path, [], "--as", "ben")
    assert content.tr("en", "onboarding-consent") in other.stdout


def test_stop_is_kept_across_sessions(tmp_path: Path, content: Content) -> None:
    chat(tmp_path, ["yes", "STOP"], "--as", "ana")
    again = chat(tmp_path, ["hello"], "--as", "ana")
    assert again.stdout == "> hello\n"  # what was typed, and no answer
    back = chat(tmp_path, ["START"], "--as", "ana")
    assert content.tr("en", "welcome-back") in back.stdout


def test_piped_lines_are_echoed_so_the_transcript_reads_as_a_conversation(
    tmp_path: Path, content: Content
) -> None:
    result = chat(tmp_path, ["yes", "STOP"], "--as", "ana")
    tr = content.tr
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        tr("en", "onboarding-welcome", dialogue="Water for all"),
        "",
        tr("en", "onboarding-about"),
        "",
        tr("en", "onboarding-consent"),
        "1 Yes",
        "2 No",
        "",
        "> yes",
        tr("en", "onboarding-language"),
        "1 English",
        "2 Français",
        "3 Español",
        "",
        "> STOP",
        tr("en", "stopped"),
        "",
    ]

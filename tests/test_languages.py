"""Languages come from `locales/`: adding one is adding its folder (its words in
`language.yaml`, its texts in `.ftl` files) and nothing in the code or the flows."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.engine import keywords, replies
from bot.languages import load
from tests.conftest import ROOT
from tests.test_step_types import copy_project

SWAHILI = """name: Kiswahili
order: 4
keywords:
  stop: [simama, acha]
  help: [msaada]
  lang: [lugha]
  delete: [futa]
numbers: {moja: 1, mbili: 2, tatu: 3, nne: 4, tano: 5}
"yes": [ndiyo, ndio]
"no": [hapana]
and: [na]
"""


def test_the_shipped_languages_and_their_words() -> None:
    lex = load(ROOT / "locales")
    assert lex.codes == ("en", "fr", "es")
    assert [lex.name_of(c) for c in lex.codes] == ["English", "Français", "Español"]
    assert keywords.parse("ARRÊT", lex) == keywords.Command("stop")
    assert keywords.parse("Borrar", lex) == keywords.Command("delete")
    assert replies.number("deux", lex) == 2 and replies.yes_no("sí", lex) is True
    assert replies.multi("water et jobs", [["water"], ["health"], ["jobs"]], lex) == (0, 2)


def test_a_language_is_one_folder(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    sw = project / "locales" / "sw"
    shutil.copytree(project / "locales" / "en", sw)  # its texts (here untranslated)
    (sw / "language.yaml").write_text(SWAHILI, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(project), "DATABASE_PATH": str(tmp_path / "b.sqlite3")}

    def baraza(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", *args],
            cwd=project,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    checked = baraza("check", "flows")
    assert checked.returncode == 0, checked.stderr
    chat = baraza("chat", "--lang", "sw", "--as", "juma", stdin="ndiyo\n4\ntatu\nSIMAMA\n")
    assert chat.returncode == 0, chat.stderr
    assert "1 English\n2 Français\n3 Español\n4 Kiswahili" in chat.stdout  # the menu
    with sqlite3.connect(tmp_path / "b.sqlite3") as conn:
        row = conn.execute("SELECT language, stopped_at IS NOT NULL FROM participants").fetchone()
        stored = conn.execute("SELECT step_id, value FROM answers ORDER BY id").fetchall()
    assert row == ("sw", 1)  # chose Kiswahili, then stopped with its own word
    assert stored == [("consent", "yes"), ("language", "sw"), ("group", "government")]


def test_a_language_folder_without_its_words_is_named_by_check(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    shutil.copytree(project / "locales" / "en", project / "locales" / "sw")
    (project / "locales" / "sw" / "language.yaml").unlink()
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check", "flows"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert (
        "locales/sw/language.yaml: file: missing: give the language's"
        " name and the words people type in it (copy locales/en/language.yaml and translate it)"
    ) in result.stderr.splitlines()

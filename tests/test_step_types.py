"""Adding a step type is one file (plus its texts and tests): a copy of the project gains
`bot/engine/steps/number.py`, and nothing else in the code; `baraza check` accepts a flow
that uses it and a conversation asks it, re-asks it and stores its answer."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.engine.steps import step_types
from tests.conftest import ROOT

NUMBER_STEP = '''"""`number`: a whole number between `min` and `max`, typed (no buttons).

- id: people
  type: number
  min: 1
  max: 50
"""

from __future__ import annotations

from typing import Literal

from bot.engine import replies
from bot.engine.io import Inbound, Question
from bot.engine.steps.base import Accepted, Asking, Miss, StepBase


class NumberStep(StepBase):
    type: Literal["number"]
    min: int = 0
    max: int = 999

    def ask(self, q: Asking) -> Question:
        return Question("text", q.seq, hint=q.tr(q.lang, "number-hint", min=self.min, max=self.max))

    def accept(self, q: Asking, inbound: Inbound) -> Accepted | Miss:
        n = replies.number(inbound.text, q.tr.lexicon) if inbound.kind == "text" else None
        if n is None or not self.min <= n <= self.max:
            return Miss("reprompt-scale", {"min": self.min, "max": self.max})
        return Accepted(str(n), inbound.text, (str(n),))
'''

FLOW = """id: household
languages: [en, fr, es]
steps:
  - id: consent
    type: consent
  - id: people
    type: number
    min: 1
    max: 50
  - id: thanks
    type: end
"""

TEXTS = {
    "en": (
        "How many people live in your home?",
        "Thank you!",
        "A number from { $min } to { $max }",
    ),
    "fr": (
        "Combien de personnes vivent chez vous ?",
        "Merci !",
        "Un nombre de { $min } à { $max }",
    ),
    "es": ("¿Cuántas personas viven en su casa?", "¡Gracias!", "Un número de { $min } a { $max }"),
}


def copy_project(tmp: Path) -> Path:
    project = tmp / "project"
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.sqlite3*", ".*_cache")
    for part in ("bot", "storage", "flows", "locales"):
        shutil.copytree(ROOT / part, project / part, ignore=ignore)
    return project


def test_a_step_type_is_one_file(tmp_path: Path) -> None:
    assert "number" not in step_types()
    project = copy_project(tmp_path)
    (project / "bot" / "engine" / "steps" / "number.py").write_text(NUMBER_STEP, encoding="utf-8")
    (project / "flows" / "household.yaml").write_text(FLOW, encoding="utf-8")
    for lang, (question, thanks, hint) in TEXTS.items():
        (project / "locales" / lang / "household.ftl").write_text(
            f"household-consent = {question.split('?')[0]}: may we keep your answer?\n"
            f"household-consent-declined = OK.\n"
            f"household-people = {question}\n"
            f"household-thanks = {thanks}\n"
            f"number-hint = {hint}\n",
            encoding="utf-8",
        )
    env = {**os.environ, "PYTHONPATH": str(project), "DATABASE_PATH": str(tmp_path / "b.sqlite3")}
    env.pop("DATABASE_URL", None)

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
    chat = baraza("chat", "--flow", "household", "--as", "ana", stdin="yes\nseventy\n7\n")
    assert chat.returncode == 0, chat.stderr
    assert "How many people live in your home?\nA number from 1 to 50" in chat.stdout
    assert "Please reply with a number from 1 to 50." in chat.stdout  # "seventy" re-asked
    assert chat.stdout.rstrip().endswith("Thank you!")
    with sqlite3.connect(tmp_path / "b.sqlite3") as conn:
        stored = conn.execute("SELECT step_id, value FROM answers ORDER BY id").fetchall()
    assert stored == [("consent", "yes"), ("people", "7")]

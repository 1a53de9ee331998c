"""The README shows real output: each session it quotes is what `docs/sessions.py` prints."""

import contextlib
import io
import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.backends
@pytest.mark.parametrize("scene", ["poll", "round"])
async def test_the_readme_shows_the_sessions_as_they_run(scene: str, database_url: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(
        rf"<!-- session: {scene} -->\n```text\n(.*?)\n```\n<!-- /session -->", readme, re.S
    )
    assert found, f"README: the {scene} session block is missing"
    script = runpy.run_path(str(ROOT / "docs" / "sessions.py"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        await script["main"](scene, database_url)
    assert found.group(1) == out.getvalue().rstrip("\n"), (
        f"the README's {scene} session is out of date: paste the output of "
        f"`.venv/bin/python docs/sessions.py {scene}` into it"
    )

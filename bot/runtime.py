"""Putting the pieces together: content (flows, texts), the database and the turn runner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.engine.advance import Dialogue
from bot.flows import FlowLibrary, Problem, load_library
from bot.i18n import Translator, load_translator
from bot.turns import TurnRunner
from storage.db import Database


class InvalidContent(Exception):
    """Flows or texts have problems; `problems` holds the `file: step: reason` lines."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Content:
    library: FlowLibrary
    tr: Translator


def load_content(settings: Settings) -> Content:
    """Load and check flows and locales; refuse (InvalidContent) if anything is wrong."""
    from bot.check import check_paths

    problems = check_paths([settings.flows_dir], settings.locales_dir)
    if problems:
        raise InvalidContent(problems)
    library, _ = load_library([settings.flows_dir])
    return Content(library, load_translator(settings.locales_dir, settings.default_language))


async def open_runner(
    settings: Settings,
    content: Content,
    *,
    db_path: Path | None = None,
    start_flow: str | None = None,
) -> TurnRunner:
    db = await Database(db_path or settings.database_path).open()
    dialogue = Dialogue(
        settings.default_dialogue, settings.dialogue_title, start_flow or settings.start_flow
    )
    if dialogue.start_flow not in content.library:
        await db.close()
        raise InvalidContent(
            [Problem(str(settings.flows_dir), "start", f"no flow {dialogue.start_flow!r}")]
        )
    runner = TurnRunner(
        db,
        content.tr,
        content.library.flows,
        dialogue,
        default_language=settings.default_language,
        dialogues={dialogue.code: dialogue},
    )
    await runner.start()
    return runner

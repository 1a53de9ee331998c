"""Putting the pieces together: content (flows, texts), the database and the turn runner."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.config import ConfigError, Settings, bad_setting
from bot.dialogues import Dialogue, default_dialogue, load_dialogues
from bot.facilitator.commands import Facilitation, parse_facilitators
from bot.flows import FlowLibrary, Problem, load_library
from bot.i18n import Translator, load_translator
from bot.turns import TurnRunner
from bot.web import login as web_login
from storage.db import database


class InvalidContent(Exception):
    """Flows or texts have problems; `problems` holds the `file: step: reason` lines."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Content:
    library: FlowLibrary
    tr: Translator
    dialogues: dict[str, Dialogue] = field(default_factory=dict)


def load_content(settings: Settings) -> Content:
    """Load and check flows and locales; refuse (InvalidContent) if anything is wrong."""
    from bot.check import check_paths

    problems = check_paths([settings.flows_dir], settings.locales_dir)
    if problems:
        raise InvalidContent(problems)
    library, _ = load_library([settings.flows_dir])
    dialogues, _ = load_dialogues(settings.flows_dir / "dialogues", set(library.flows))
    tr = load_translator(settings.locales_dir, settings.default_language)
    if settings.default_language not in tr.languages:
        known = "one of " + ", ".join(tr.languages)
        raise ConfigError(bad_setting("default_language", settings.default_language, known))
    return Content(library, tr, dialogues)


async def open_runner(
    settings: Settings,
    content: Content,
    *,
    db_path: str | Path | None = None,
    start_flow: str | None = None,
) -> TurnRunner:
    """Open the database (`db_path`: a file or URL instead of DATABASE_URL) and a turn
    runner. `start_flow` overrides the dialogue's first flow (`baraza chat --flow`)."""
    dialogues = dict(content.dialogues)
    code = settings.default_dialogue
    if code not in dialogues:
        dialogues[code] = default_dialogue(code, settings.dialogue_title, settings.start_flow)
    if start_flow is not None:
        dialogues[code] = dialogues[code].model_copy(update={"flows": (start_flow,)})
    missing = [d.start_flow for d in dialogues.values() if d.start_flow not in content.library]
    if missing:
        raise InvalidContent(
            [Problem(str(settings.flows_dir), "start", f"no flow {f!r}") for f in missing]
        )
    db = await database(
        db_path or settings.database_url,
        send_lease=settings.send_lease,
        cache_mb=settings.sqlite_cache_mb,
    ).open()
    runner = TurnRunner(
        db,
        content.tr,
        content.library.flows,
        dialogues,
        code,
        default_language=settings.default_language,
    )
    runner.commands = Facilitation(
        db,
        content.tr,
        dialogues,
        code,
        parse_facilitators(settings.facilitators),
        settings.files_dir,
        dispatch=runner.dispatch_started,
        web_base=web_login.base_url(settings),
        flows=content.library.flows,
        default_language=settings.default_language,
        sms_fallback=settings.sms_gsm_fallback,
        whatsapp_template=bool(settings.whatsapp_template_sid),
    )
    await runner.start()
    return runner

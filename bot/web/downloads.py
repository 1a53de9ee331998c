"""Downloads of a dialogue's data: the pseudonymous CSV export, streamed (a million rows
never sit in memory), with the questions and the answers' labels in the page's language;
and the FLOIP Flow Results package as one zip (`bot.facilitator.floip`)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.responses import FileResponse, StreamingResponse

from bot.dialogues import Dialogue
from bot.facilitator import export, floip
from bot.facilitator.questions import Question
from storage.db import Database

FLUSH_ROWS = 2000


@dataclass(frozen=True)
class Format:
    path: str
    """Under /web/d/<code>/."""
    title: str
    text: str
    """Fluent ids of its name and of what it holds."""


FORMATS = (
    Format("export.csv", "web-download-csv", "web-download-csv-text"),
    Format("flow-results.zip", "web-download-floip", "web-download-floip-text"),
)


async def csv_rows(
    db: Database, dialogue: str, questions: Mapping[str, Question], lang: str
) -> AsyncIterator[str]:
    """The export as CSV text, in chunks: the columns of `export.COLUMNS`, no address."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(export.COLUMNS)
    pending = 0
    async for row in export.labelled_rows(db, dialogue, questions, lang):
        writer.writerow(row)
        pending += 1
        if pending >= FLUSH_ROWS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def csv_response(
    db: Database, dialogue: str, now: datetime, questions: Mapping[str, Question], lang: str
) -> StreamingResponse:
    name = f"baraza-{dialogue}-{now:%Y%m%d-%H%M}.csv"
    return StreamingResponse(
        csv_rows(db, dialogue, questions, lang),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def floip_response(
    db: Database,
    dialogue: Dialogue,
    questions: Mapping[str, Question],
    lang: str,
    now: datetime,
    files_dir: Path,
) -> FileResponse:
    """The Flow Results package as a zip, written to a temporary file that is deleted
    once sent."""
    files_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=files_dir, suffix=".zip", delete=False) as tmp:
        path = Path(tmp.name)
    try:
        await floip.write(db, dialogue, questions, path, lang=lang, now=now)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    name = f"{floip.package_name(dialogue.code)}-{now:%Y%m%d-%H%M}.zip"
    return FileResponse(
        path, media_type="application/zip", filename=name, background=BackgroundTask(path.unlink)
    )

"""Downloads of a dialogue's data: the pseudonymous CSV export, streamed (a million rows
never sit in memory). The FLOIP Flow Results package joins `FORMATS` when it exists."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from starlette.responses import StreamingResponse

from storage import export
from storage.db import Database

FLUSH_ROWS = 2000


@dataclass(frozen=True)
class Format:
    path: str
    """Under /web/d/<code>/."""
    title: str
    text: str
    """Fluent ids of its name and of what it holds."""


FORMATS = (Format("export.csv", "web-download-csv", "web-download-csv-text"),)


async def csv_rows(db: Database, dialogue: str) -> AsyncIterator[str]:
    """The export as CSV text, in chunks: the columns of `storage.export`, no address."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(export.COLUMNS)
    pending = 0
    async for row in export.rows(db.reader, dialogue):
        writer.writerow(row)
        pending += 1
        if pending >= FLUSH_ROWS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def csv_response(db: Database, dialogue: str, now: datetime) -> StreamingResponse:
    name = f"baraza-{dialogue}-{now:%Y%m%d-%H%M}.csv"
    return StreamingResponse(
        csv_rows(db, dialogue),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

"""Exports for organisers: CSV or JSON lines, streamed, one row per answer. Pseudonymous:
the participant column is the random id; no phone number or Telegram id is ever read."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Literal

from storage import export
from storage.db import Database

Format = Literal["csv", "json"]


async def write(db: Database, dialogue: str, fmt: Format, out: Path) -> int:
    """Write the export to `out`; returns the number of rows. JSON is one object a line."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f) if fmt == "csv" else None
        if writer is not None:
            writer.writerow(export.COLUMNS)
        async for row in export.rows(db.reader, dialogue):
            if writer is not None:
                writer.writerow(row)
            else:
                f.write(
                    json.dumps(dict(zip(export.COLUMNS, row, strict=True)), ensure_ascii=False)
                    + "\n"
                )
            count += 1
    return count

"""Exports for organisers, streamed, one row per answer: CSV, JSON (one list of objects,
for `json.load` and `pandas.read_json`) or JSON Lines (one object a line). Pseudonymous:
the participant column is the random id; no phone number or Telegram id is ever read."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Literal

from storage import export
from storage.db import Database

Format = Literal["csv", "json", "jsonl"]


def _object(row: tuple[Any, ...]) -> str:
    return json.dumps(dict(zip(export.COLUMNS, row, strict=True)), ensure_ascii=False)


async def write(db: Database, dialogue: str, fmt: Format, out: Path) -> int:
    """Write the export to `out`; returns the number of rows."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f) if fmt == "csv" else None
        if writer is not None:
            writer.writerow(export.COLUMNS)
        elif fmt == "json":
            f.write("[")
        async for row in export.rows(db.reader, dialogue):
            if writer is not None:
                writer.writerow(row)
            elif fmt == "json":
                f.write(("," if count else "") + "\n" + _object(row))
            else:
                f.write(_object(row) + "\n")
            count += 1
        if fmt == "json":
            f.write("\n]\n")
    return count

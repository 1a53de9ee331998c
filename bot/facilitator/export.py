"""Exports for organisers, streamed, one row per answer: CSV, JSON (one list of objects,
for `json.load` and `pandas.read_json`) or JSON Lines (one object a line). Pseudonymous:
the participant column is the random id; no phone number or Telegram id is ever read.

Each row carries the question's text and the answer's label (`question`, `answer`) in
the export's language beside the stored codes (`step`, `value`): a poll vote `0` reads
`Water`, a prompt's row its question. The Flow Results package is `bot.facilitator.floip`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any, Literal

from bot.dialogues import Dialogue
from bot.facilitator import questions as catalogue
from bot.facilitator.questions import Question
from bot.flows import Flow
from bot.i18n import Translator
from storage import export, reports
from storage.db import Database

Format = Literal["csv", "json", "jsonl"]
COLUMNS = (
    *export.COLUMNS[: export.COLUMNS.index("step") + 1],
    "question",
    "value",
    "answer",
    *export.COLUMNS[export.COLUMNS.index("value") + 1 :],
)
"""The stored columns, with the question's text after `step` and the answer's label
after `value`."""


async def codebook(
    db: Database,
    dialogue: str | Dialogue,
    flows: Mapping[str, Flow] | None = None,
    tr: Translator | None = None,
    dialogues: Mapping[str, Dialogue] | None = None,
) -> dict[str, Question]:
    """Question id -> question: the prompts and polls of the dialogue and, given the
    flows and their texts, the steps of its flows."""
    code = dialogue if isinstance(dialogue, str) else dialogue.code
    found = dialogue if isinstance(dialogue, Dialogue) else (dialogues or {}).get(code)
    rows = await reports.prompt_rows(db.reader, code)
    if found is not None and flows is not None and tr is not None:
        questions = catalogue.catalogue(found, flows, tr, rows)
    else:
        questions = [catalogue.prompt_question(r) for r in rows if r.sent_at]
    for sid, texts in await export.statement_texts(db.reader, code):
        questions.append(catalogue.statement_question(sid, json.loads(texts), tr))
    return {q.id: q for q in questions}


async def labelled_rows(
    db: Database, dialogue: str, questions: Mapping[str, Question], lang: str
) -> AsyncIterator[tuple[Any, ...]]:
    """The stored rows (`storage.export`) with the question and the answer's label."""
    step_at = export.COLUMNS.index("step")
    value_at = export.COLUMNS.index("value")
    flow_at = export.COLUMNS.index("flow")
    async for row in export.rows(db.reader, dialogue):
        flow, step, value = row[flow_at], row[step_at], str(row[value_at])
        q = questions.get(flow if step in ("poll", "prompt") else f"{flow}-{step}")
        question = q.label(lang) if q is not None else ""
        answer = q.answer_label(value, lang) if q is not None and not q.open else ""
        yield (*row[: step_at + 1], question, row[value_at], answer, *row[value_at + 1 :])


def _object(row: tuple[Any, ...]) -> str:
    return json.dumps(dict(zip(COLUMNS, row, strict=True)), ensure_ascii=False)


async def write(
    db: Database,
    dialogue: str,
    fmt: Format,
    out: Path,
    *,
    questions: Mapping[str, Question] | None = None,
    lang: str = "en",
) -> int:
    """Write the export to `out`; returns the number of rows. Questions come from
    `codebook` (without it, only prompts and polls are labelled)."""
    if questions is None:
        questions = await codebook(db, dialogue)
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f) if fmt == "csv" else None
        if writer is not None:
            writer.writerow(COLUMNS)
        elif fmt == "json":
            f.write("[")
        async for row in labelled_rows(db, dialogue, questions, lang):
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

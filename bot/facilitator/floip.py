"""A dialogue's results as a Flow Results package (FLOIP Flow Results specification
1.0.0-rc1): a Data Package whose `datapackage.json` describes every question (the steps
of the dialogue's flows, its prompts and polls) and one resource of responses.

    datapackage.json                     profile flow-results-package, the questions
    data/baraza-<code>-responses.json    one row array per response:
        [timestamp, row_id, contact_id, session_id, question_id, response, metadata]

As the specification asks, the responses are a JSON file of row arrays (the types
survive: a scale's answer is a number, a multi step's a list of option codes). The
contact id is the participant's pseudonym, never an address; a session is one run of a
flow, or the one response to a prompt or poll. Question types: `select_one` (choice,
yes/no, consent, poll), `select_many` (multi), `numeric` (scale, with its range), `text`
(text steps and prompts). Each question's `label` is in the package's language, with
`labels` in every language (ISO 639-3 keys, as the schema's `language`); options keep
their codes as `choices` with `choice_labels` beside them. A poll has no codes: its
choices are its options' texts in the package's language.

`write` makes a folder, or a single `.zip` (what `/export` sends in the chat).
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from bot.dialogues import Dialogue
from bot.facilitator.questions import Question
from storage import export
from storage.db import Database

SPEC_VERSION = "1.0.0-rc1"
PROFILE = "flow-results-package"
ISO639_3 = {"en": "eng", "fr": "fra", "es": "spa"}
FIELDS = (
    ("timestamp", "Timestamp", "datetime"),
    ("row_id", "Row ID", "string"),
    ("contact_id", "Contact ID", "string"),
    ("session_id", "Session ID", "string"),
    ("question_id", "Question ID", "string"),
    ("response", "Response", "any"),
    ("response_metadata", "Response Metadata", "object"),
)
TYPES = {
    "choice": "select_one",
    "yesno": "select_one",
    "consent": "select_one",
    "poll": "select_one",
    "statement": "select_one",
    "multi": "select_many",
    "scale": "numeric",
    "text": "text",
    "prompt": "text",
}


def package_name(code: str) -> str:
    return re.sub(r"[^a-z0-9._-]", "-", f"baraza-{code.lower()}")


def stamp(when: datetime) -> str:
    """RFC 3339 with an explicit offset (`+00:00`, never `Z`), as the specification asks."""
    return when.astimezone(UTC).isoformat()


def _iso(lang: str) -> str:
    return ISO639_3.get(lang, lang)


def question_entry(q: Question, lang: str) -> dict[str, Any]:
    """A question of the package's schema."""
    kind = TYPES.get(q.kind, "text")
    options: dict[str, Any] = {}
    if kind in ("select_one", "select_many"):
        options["choices"] = [_choice(q, c.value, lang) for c in q.choices]
        options["choice_labels"] = {
            _choice(q, c.value, lang): {_iso(x): label for x, label in c.labels.items()}
            for c in q.choices
        }
    elif kind == "numeric" and q.range is not None:
        options["range"] = list(q.range)
    entry: dict[str, Any] = {
        "type": kind,
        "label": q.label(lang),
        "type_options": options,
        "labels": {_iso(x): label for x, label in q.labels.items()},
    }
    if q.flow is not None:
        entry["flow"], entry["step"] = q.flow, q.step
    return entry


def _choice(q: Question, value: str, lang: str) -> str:
    """The value a response carries: an option's code, or a poll option's text."""
    if q.kind == "poll":
        return q.answer_label(value, lang)
    return value


def response(q: Question | None, value: str, lang: str) -> Any:
    """A stored answer as the question's type wants it."""
    if q is None:
        return value
    if q.kind == "multi":
        return value.split()
    if q.kind == "scale":
        with contextlib.suppress(ValueError):
            return int(value)
        return value
    if q.kind == "poll":
        return _choice(q, value, lang)
    return value


def descriptor(
    dialogue: Dialogue,
    questions: Mapping[str, Question],
    lang: str,
    now: datetime,
    *,
    extra: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """`datapackage.json`. `extra`: question ids found in the responses but in no current
    flow (a step since removed): described as text, labelled by their id."""
    name = package_name(dialogue.code)
    described = {qid: question_entry(q, lang) for qid, q in questions.items()}
    for qid in extra or {}:
        described.setdefault(qid, {"type": "text", "label": qid, "type_options": {}, "labels": {}})
    return {
        "profile": PROFILE,
        "flow_results_specification_version": SPEC_VERSION,
        "name": name,
        "title": dialogue.title_in(lang),
        "id": str(uuid.uuid4()),
        "created": stamp(now),
        "modified": stamp(now),
        "resources": [
            {
                "name": f"{name}-responses",
                "profile": "tabular-data-resource",
                "path": f"data/{name}-responses.json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "dialect": {"header": False},
                "schema": {
                    "language": _iso(lang),
                    "fields": [{"name": n, "title": t, "type": k} for n, t, k in FIELDS],
                    "questions": described,
                },
            }
        ],
    }


async def _rows(
    db: Database,
    dialogue: Dialogue,
    questions: Mapping[str, Question],
    lang: str,
    unknown: dict[str, str],
) -> AsyncIterator[str]:
    async for row_id, at, contact, session, qid, value, language, channel in export.floip_rows(
        db.reader, dialogue.code
    ):
        q = questions.get(qid)
        if q is None:
            unknown[qid] = qid
        when = stamp(datetime.fromisoformat(str(at)))
        meta = {"language": _iso(str(language)), "channel": str(channel)}
        yield json.dumps(
            [when, row_id, contact, session, qid, response(q, str(value), lang), meta],
            ensure_ascii=False,
        )


async def _write_rows(
    f: IO[str], db: Database, dialogue: Dialogue, questions: Mapping[str, Question], lang: str,
    unknown: dict[str, str],
) -> int:  # fmt: skip
    count = 0
    f.write("[")
    async for line in _rows(db, dialogue, questions, lang, unknown):
        f.write(("," if count else "") + "\n" + line)
        count += 1
    f.write("\n]\n")
    return count


async def write(
    db: Database,
    dialogue: Dialogue,
    questions: Mapping[str, Question],
    out: Path,
    *,
    lang: str,
    now: datetime,
) -> int:
    """Write the package to the folder `out`, or into the zip file `out` if it ends in
    `.zip`; returns the number of responses."""
    unknown: dict[str, str] = {}
    name = package_name(dialogue.code)
    data = f"data/{name}-responses.json"
    if out.suffix.lower() == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            with zf.open(data, "w", force_zip64=True) as raw, _text(raw) as f:
                count = await _write_rows(f, db, dialogue, questions, lang, unknown)
            body = descriptor(dialogue, questions, lang, now, extra=unknown)
            zf.writestr("datapackage.json", json.dumps(body, ensure_ascii=False, indent=2))
        return count
    (out / "data").mkdir(parents=True, exist_ok=True)
    with (out / data).open("w", encoding="utf-8") as f:
        count = await _write_rows(f, db, dialogue, questions, lang, unknown)
    body = descriptor(dialogue, questions, lang, now, extra=unknown)
    (out / "datapackage.json").write_text(
        json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return count


@contextlib.contextmanager
def _text(raw: IO[bytes]) -> Iterator[IO[str]]:
    import io

    wrapper = io.TextIOWrapper(raw, encoding="utf-8")
    try:
        yield wrapper
    finally:
        wrapper.flush()
        wrapper.detach()

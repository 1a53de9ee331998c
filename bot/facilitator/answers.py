"""`/answers ID [page]`: the answers to an open question (a text step of the flows, or a
prompt), newest first, a page at a time, in the facilitator's language.

ID is the question's id as the dashboard shows it (`explore-challenge`, `prompt-4`), a
prompt's number (`4`), or a step's id alone when only one flow of the dialogue has it
(`challenge`). The answers come alone: no participant, group, channel or time, and a
question is read only once at least 5 people answered it (`summaries.VERBATIM_MIN`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.dialogues import Dialogue
from bot.engine.io import Message
from bot.facilitator import questions as catalogue
from bot.facilitator.questions import Question
from bot.facilitator.summaries import VERBATIM_MIN, masked
from bot.flows import Flow
from bot.i18n import Translator
from storage import reports
from storage.db import Database

PER_PAGE = 10
"""Answers per chat message."""
ANSWER_WIDTH = 350
"""A long answer is cut here in the chat (the web pages show it whole)."""


@dataclass(frozen=True)
class Page:
    question: Question
    total: int
    """Answers in all (matching `search`, if given)."""
    answers: tuple[str, ...]
    page: int
    pages: int
    shown: bool
    """False when fewer than VERBATIM_MIN people answered: nothing is shown."""


async def open_questions(
    db: Database, dialogue: Dialogue, flows: Mapping[str, Flow], tr: Translator
) -> list[Question]:
    """The dialogue's open questions: its flows' text steps, then its prompts."""
    rows = await reports.prompt_rows(db.reader, dialogue.code)
    return [q for q in catalogue.catalogue(dialogue, flows, tr, rows) if q.open]


def find(found: list[Question], wanted: str) -> Question | None:
    wanted = wanted.strip().lower()
    if wanted.isdigit():
        wanted = f"prompt-{wanted}"
    for q in found:
        if q.id == wanted:
            return q
    by_step = [q for q in found if q.step == wanted]
    return by_step[0] if len(by_step) == 1 else None


async def read(
    db: Database,
    dialogue: Dialogue,
    question: Question,
    page: int = 1,
    *,
    per_page: int = PER_PAGE,
    search: str | None = None,
) -> Page:
    """One page of a question's answers, newest first (page 1 past the end is the last)."""
    people, _ = await _fetch(db, dialogue, question, 0, 0, None)
    shown = people >= VERBATIM_MIN
    total, _ = await _fetch(db, dialogue, question, 0, 0, search) if search else (people, [])
    pages = max(1, -(-total // per_page)) if per_page > 0 else 1
    page = max(1, page)
    answers: list[str] = []
    if shown and page <= pages and per_page > 0:
        _, answers = await _fetch(db, dialogue, question, per_page, (page - 1) * per_page, search)
    return Page(question, total, tuple(masked(a) for a in answers), page, pages, shown)


async def _fetch(
    db: Database, dialogue: Dialogue, q: Question, limit: int, offset: int, search: str | None
) -> tuple[int, list[str]]:
    if q.prompt is not None:
        return await reports.prompt_answers(
            db.reader, q.prompt.id, limit=limit, offset=offset, search=search
        )
    assert q.flow is not None and q.step is not None
    return await reports.step_answers(
        db.reader, dialogue.code, q.flow, q.step, limit=limit, offset=offset, search=search
    )


async def message(
    db: Database,
    dialogue: Dialogue,
    flows: Mapping[str, Flow],
    tr: Translator,
    wanted: str,
    page: int,
    lang: str,
) -> Message:
    """`/answers ID [page]` as one chat message."""
    found = await open_questions(db, dialogue, flows, tr)
    q = find(found, wanted) if wanted.strip() else None
    if q is None:
        if not wanted.strip():
            example = found[0].id if found else "explore-challenge"
            return Message(tr(lang, "answers-usage", example=example))
        ids = ", ".join(x.id for x in found) or "-"
        return Message(tr(lang, "answers-unknown", id=wanted.strip()[:40], ids=ids))
    result = await read(db, dialogue, q, page)
    label = q.label(lang)
    if result.total == 0:
        return Message(tr(lang, "answers-none", question=label))
    if not result.shown:
        return Message(tr(lang, "answers-too-few", question=label))
    if not result.answers:
        return Message(tr(lang, "answers-past-end", question=label, pages=result.pages))
    head = tr(
        lang,
        "answers-header",
        question=label,
        total=result.total,
        page=result.page,
        pages=result.pages,
    )
    first = (result.page - 1) * PER_PAGE
    lines = [head]
    for n, answer in enumerate(result.answers, start=first + 1):
        text = " ".join(answer.split())
        if len(text) > ANSWER_WIDTH:
            text = text[: ANSWER_WIDTH - 1] + "…"
        lines.append(f"{n}. {text}")
    return Message("\n".join(lines))

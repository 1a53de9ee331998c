"""Statements, from the facilitator's side:

- `/statement en: ... | fr: ... | es: ...` seeds one (approved at once);
- `/statements` lists the proposals waiting; `/approve ID [en: ... | fr: ...]` approves one
  (adding translations), `/reject ID` rejects it; `/statements report` is the analysis
  (`reports.prepare_statements`);
- `/round [--to GROUP] [--count 5]` puts on each participant's agenda the statements they
  have not voted on (the least voted first), after a preview and `/send`.

A statement is at most 100 characters in every language it has, so that with its number
and its three options it stays one SMS.
"""

from __future__ import annotations

from bot.channels.sms import gsm7
from bot.deliberation import report as deliberation_report
from bot.engine.io import MAX_STATEMENT, Message
from bot.facilitator.call import Call
from bot.facilitator.parse import UsageError, prompt_texts
from storage import statements

MAX_COUNT = 20
SAMPLE = "{id}: "


def _texts(call: Call, body: str) -> dict[str, str]:
    """`en: ... | fr: ...` (or one text for every language), each short enough."""
    given = {
        lang: str(t["question"]).strip() for lang, t in prompt_texts(body, call.languages).items()
    }
    for lang, text in given.items():
        if len(text) > MAX_STATEMENT:
            raise UsageError("fac-statement-too-long", language=lang, length=len(text), max=MAX_STATEMENT)
        shown = call.tr(lang, "statement-head", id=999, text=text)
        if gsm7.segments(gsm7.prepare(shown, fallback=call.sms_fallback)).segments > 1:
            raise UsageError("fac-statement-two-parts", language=lang)
    return given


def seed(call: Call) -> list[Message]:
    """`/statement en: ... | fr: ...`: a statement of the facilitators, approved at once."""
    if not call.cmd.body.strip():
        raise UsageError("fac-usage-statement")
    texts = _texts(call, call.cmd.body)
    origin = next(iter(texts))
    sid = statements.create(
        call.conn, call.dialogue.code, texts, origin, "facilitator", "approved", call.stamp
    )
    return [Message(call.t("fac-statement-added", id=sid, languages=", ".join(texts)))]


def listing(call: Call) -> list[Message]:
    """`/statements`: the proposals waiting, with how to approve or reject them."""
    if call.cmd.body.strip():
        if call.cmd.body.strip().lower() == "report":
            return call.prepared.messages  # type: ignore[no-any-return]
        raise UsageError("fac-usage-statements")
    waiting = statements.listing(call.conn, call.dialogue.code, "pending")
    approved = statements.listing(call.conn, call.dialogue.code, "approved")
    lines = [call.t("fac-statements-head", approved=len(approved), waiting=len(waiting))]
    for st in waiting[:20]:
        lines.append(f"{st.id} ({st.origin}): {st.text_in(st.origin)}")
    if waiting:
        lines.append(call.t("fac-statements-how", id=waiting[0].id))
    return [Message("\n".join(lines))]


def _statement(call: Call, text: str) -> int:
    head = text.strip().split(None, 1)[0] if text.strip() else ""
    if not head.isdigit():
        raise UsageError(f"fac-usage-{call.cmd.name}")
    found = statements.get(call.conn, int(head))
    if found is None or found.dialogue != call.dialogue.code:
        raise UsageError("fac-no-statement", id=head)
    return found.id


def approve(call: Call) -> list[Message]:
    """`/approve ID [en: ... | fr: ...]`: the proposal goes to the rounds, with the
    translations given (a statement without one in someone's language says so)."""
    sid = _statement(call, call.cmd.body)
    rest = call.cmd.body.strip().split(None, 1)
    translations = _texts(call, rest[1]) if len(rest) > 1 else {}
    found = statements.get(call.conn, sid)
    assert found is not None
    if len(rest) > 1 and set(translations) == set(call.languages) and len(set(translations.values())) == 1:
        raise UsageError("fac-approve-tag-languages")  # untagged text would overwrite all
    statements.decide(call.conn, sid, "approved", call.stamp, translations)
    langs = sorted({*found.texts, *translations})
    return [Message(call.t("fac-statement-approved", id=sid, languages=", ".join(langs)))]


def reject(call: Call) -> list[Message]:
    sid = _statement(call, call.cmd.body)
    statements.decide(call.conn, sid, "rejected", call.stamp)
    return [Message(call.t("fac-statement-rejected", id=sid))]


def round_count(call: Call) -> int:
    raw = call.cmd.options.get("count", "5")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_COUNT:
        raise UsageError("fac-round-count", value=raw, max=MAX_COUNT)
    return int(raw)


def share_texts(call: Call) -> dict[str, str]:
    """What `/share statements` tells participants, in each of the dialogue's languages:
    the statements with the most common ground, and how many took part."""
    approved, result, pending = deliberation_report.read(call.conn, call.dialogue.code)
    texts = {}
    for lang in call.languages:
        built = deliberation_report.build(call.dialogue.code, approved, result, pending, lang)

        def t(msg_id: str, lang: str = lang, **args: str | int) -> str:
            return call.tr(lang, msg_id, **args)

        texts[lang] = deliberation_report.common_ground_message(built, t)
    return texts

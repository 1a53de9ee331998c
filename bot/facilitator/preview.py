"""What a facilitator sees before a broadcast goes out: what it says, who receives it (by
channel and language, through the small-cell rule), the languages that fall back to
another one, the SMS parts per language, the quiet hours that will hold it, when it opens
and closes, and how to send or cancel it.

The SMS parts are counted on the very messages participants would get: the pure engine
delivers the item to a participant at rest in each language, and the SMS channel's
rendering (`bot.channels.text`, `bot.channels.gsm7`) cuts them into parts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from bot import cells
from bot.agenda_views import load, poll_table
from bot.channels.sms import gsm7
from bot.channels.text import render
from bot.channels.whatsapp import window
from bot.engine.advance import Context, advance
from bot.engine.io import (
    Inbound,
    InfoView,
    ItemView,
    Message,
    Option,
    PollView,
    PromptView,
    Question,
)
from bot.engine.state import Item, Participant
from bot.facilitator import broadcast, deliberating
from bot.facilitator.call import Call, people
from bot.facilitator.parse import fallback_of
from storage import broadcasts, prompts, statements, windows
from storage.prompts import PromptRow

CHANNELS = {"telegram": "Telegram", "sms": "SMS", "whatsapp": "WhatsApp", "console": "console"}


def message(
    call: Call, draft_id: int, kind: str, body: Mapping[str, Any], replaced: int, expires: datetime
) -> Message:
    """The preview, with Send / Cancel buttons on Telegram (they carry the draft's id)."""
    lines = [call.t("fac-preview-head", kind=kind)]
    target: str | None
    if kind == "share":
        row = prompts.get(call.conn, int(body["poll"]))
        assert row is not None
        lines += _results(call, row)
        target, given, urgent = row.target, list(row.texts), False
        item = Item("results", row.id)
        views = _views_of(call, item)
    elif kind == "round":
        approved = statements.listing(call.conn, call.dialogue.code, "approved")
        lines.append(call.t("fac-preview-round", per=int(body["count"]), approved=len(approved)))
        target, urgent = body["target"], bool(body["urgent"])
        given = sorted({lang for st in approved for lang in st.texts})
        item = Item("statement", approved[-1].id)
        views = _views_of(call, item)
    elif kind == "statements":
        told = deliberating.share_texts(call)
        lines.append(told.get(call.lang) or next(iter(told.values())))
        target, given, urgent = None, list(told), False
        item = Item("info", 0)
        views = {item: InfoView({lang: Message(t) for lang, t in told.items()})}
    else:
        texts: dict[str, dict[str, Any]] = body["texts"]
        lines += _texts(call, texts)
        target, given, urgent = body["target"], list(texts), bool(body["urgent"])
        item = Item("poll" if kind == "poll" else "prompt", prompts.next_id(call.conn))
        views = {item: _draft_view(item, texts)}
    counts = broadcasts.audience(call.conn, call.dialogue.code, target)
    lines += _audience(call, target, counts)
    spoken = [lang for lang in call.languages] + sorted(
        {lang for _, lang, n in counts if n and lang not in call.languages}
    )
    lines += _window(call, target, counts)
    lines += _fallbacks(call, given, spoken)
    lines.append(_sms(call, item, views, spoken, urgent))
    opens = _time(body.get("opens_at"))
    closes = _time(body.get("closes_at"))
    lines += _quiet(call, opens or call.now)
    if opens is not None:
        lines.append(call.t("fac-preview-opens", time=call.at(opens)))
    if closes is not None:
        lines.append(call.t("fac-preview-closes", time=call.at(closes)))
    if urgent:
        lines.append(call.t("fac-preview-urgent"))
    if replaced:
        lines.append(call.t("fac-preview-replaces"))
    telegram = call.channel == "telegram"
    lines.append(
        call.t("fac-preview-how", minutes=10, time=call.at(expires), buttons=str(telegram).lower())
    )
    question = None
    if telegram:
        question = Question(
            "yesno",
            draft_id,
            (
                Option("yes", call.t("fac-button-send")),
                Option("no", call.t("fac-button-cancel")),
            ),
        )
    return Message("\n".join(lines), question=question)


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def _texts(call: Call, texts: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """What it says: once if every language has the same text, else per language."""
    shown = {lang: _text(t) for lang, t in texts.items()}
    if len(set(shown.values())) == 1 and set(call.languages) <= set(shown):
        return [next(iter(shown.values()))]
    return [f"{lang}: {text}" for lang, text in shown.items()]


def _text(t: Mapping[str, Any]) -> str:
    options = [f"{i} {o}" for i, o in enumerate(t.get("options", []), 1)]
    return " / ".join([str(t["question"]), *options])


def _results(call: Call, row: PromptRow) -> list[str]:
    """The results as the facilitator's language shows them, and what to know first."""
    shown = poll_table(prompts.votes_by_group(call.conn, row.id), len(row.options("en"))).overall
    question = str(row.text_in(call.lang)["question"])
    block = "=" if call.channel == "sms" else "█"
    lines = [call.t("fac-preview-poll", id=row.id, question=question, **people(shown.total))]
    if shown.enough:
        lines += broadcast.bars(row.options(call.lang), shown, block)
    else:
        lines.append(call.t("fac-preview-too-few", least=cells.SMALL))
    if row.is_open(call.stamp):
        lines.append(call.t("fac-preview-still-open", id=row.id))
    return lines


def _audience(call: Call, target: str | None, counts: list[tuple[str, str, int]]) -> list[str]:
    """How many it reaches, by channel and by language. Each breakdown is protected
    against the total (`cells.line`); the two cannot pin each other down, as every pair
    of breakdowns with the same total fits some split of people by both."""
    channels: dict[str, int] = {}
    languages: dict[str, int] = {}
    for channel, lang, n in counts:
        channels[channel] = channels.get(channel, 0) + n
        languages[lang] = languages.get(lang, 0) + n
    total = cells.count(sum(channels.values()))
    who = (
        call.t("fac-preview-everyone", dialogue=call.dialogue.title_in(call.lang))
        if target is None
        else call.t("fac-preview-group", group=call.group_label(target), code=target)
    )
    lines = [call.t("fac-preview-audience", who=who, **people(total))]
    if total.value >= cells.SMALL:
        order: list[str] = [x for x in call.languages if x in languages]
        order += sorted(set(languages) - set(order))
        by_channel = _line({CHANNELS.get(c, c): n for c, n in sorted(channels.items())})
        by_language = _line({call.language_name(x): languages[x] for x in order})
        lines.append(call.t("fac-preview-by", channels=by_channel, languages=by_language))
    return lines


def _window(call: Call, target: str | None, counts: list[tuple[str, str, int]]) -> list[str]:
    """How many of the audience are on WhatsApp outside its 24-hour window, and what they
    get: the approved template, or the message once they write again."""
    if not any(channel == "whatsapp" and n for channel, _, n in counts):
        return []
    since = window.opened_since(call.now)
    outside = windows.outside_window(call.conn, "whatsapp", call.dialogue.code, since, target)
    if not outside:
        return []
    how = "template" if call.whatsapp_template else "wait"
    return [call.t("fac-preview-window", how=how, **people(cells.count(outside)))]


def _line(counts: Mapping[str, int]) -> str:
    shown = cells.line(list(counts.values()))
    return ", ".join(f"{name} {cell.text}" for name, cell in zip(counts, shown.parts, strict=True))


def _fallbacks(call: Call, given: list[str], spoken: list[str]) -> list[str]:
    """Languages with no text of their own: their speakers get the first one's."""
    if not given:
        return []
    first = fallback_of(given, call.languages)
    return [
        call.t(
            "fac-preview-fallback",
            language=call.language_name(lang),
            fallback=call.language_name(first),
        )
        for lang in spoken
        if lang not in given
    ]


def _draft_view(item: Item, texts: Mapping[str, Mapping[str, Any]]) -> ItemView:
    questions = {lang: str(t["question"]) for lang, t in texts.items()}
    if item.kind == "poll":
        options = {lang: tuple(str(o) for o in t["options"]) for lang, t in texts.items()}
        return PollView(item.id, questions, options, open=True, eligible=True)
    return PromptView(item.id, questions, open=True, eligible=True)


def _views_of(call: Call, item: Item) -> dict[Item, ItemView]:
    someone = Participant(id="preview", language=call.lang, dialogue=call.dialogue.code)
    return load(call.conn, someone, [item], call.now, tr=call.tr, dialogues=call.dialogues)


def _sms(
    call: Call, item: Item, views: dict[Item, ItemView], spoken: list[str], urgent: bool
) -> str:
    """SMS parts per language, counted on what a participant at rest would be sent."""
    ctx = Context(call.tr, call.flows, {}, call.dialogues, call.dialogue.code, items=views)
    found = []
    for lang in spoken:
        someone = Participant(
            id="preview", language=lang, dialogue=call.dialogue.code, consented=True
        )
        turn = advance(ctx, someone, Inbound(kind="deliver", item=item, urgent=urgent), call.now)
        parts = [
            part
            for m in turn.messages
            for part in gsm7.split(gsm7.prepare(render(m, "="), fallback=call.sms_fallback))
        ]
        ucs2 = any(gsm7.encoding(p) == "UCS-2" for p in parts)
        found.append(f"{lang} {len(parts)}" + (" (UCS-2)" if ucs2 else ""))
    return call.t("fac-preview-sms", parts=", ".join(found))


def _quiet(call: Call, at: datetime) -> list[str]:
    hours = call.dialogue.quiet_hours
    if hours is None or not call.dialogue.is_quiet(at):
        return []
    return [
        call.t(
            "fac-preview-quiet",
            start=_hhmm(hours.start),
            end=_hhmm(hours.end),
            zone=call.dialogue.timezone,
        )
    ]


def _hhmm(t: time) -> str:
    return f"{t:%H:%M}"

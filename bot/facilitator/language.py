"""The facilitator's language: chosen with `/lang xx` (stored), else the channel's hint
(Telegram's `language_code`), else the default. Facilitators are not participants: their
language is kept apart from anyone's profile."""

from __future__ import annotations

from bot.engine.io import Message
from bot.facilitator.call import Call
from bot.facilitator.parse import UsageError
from bot.i18n import Translator
from storage import facilitators
from storage.conn import Conn


def of(conn: Conn, who: str, hint: str | None, default: str, tr: Translator) -> str:
    return facilitators.language_of(conn, who) or tr.pick(None, hint, default)


def command(call: Call) -> list[Message]:
    """`/lang` says which language is used and how to change it; `/lang fr` changes it."""
    arg = call.cmd.body.strip().lower()
    choices = ", ".join(call.tr.languages)
    if not arg:
        return [
            Message(call.t("fac-lang-now", language=call.language_name(call.lang), choices=choices))
        ]
    lang = call.tr.pick(None, arg, "")
    if lang not in call.tr.languages or len(arg.split()) > 1:
        raise UsageError("fac-lang-unknown", value=arg, choices=choices)
    facilitators.set_language(call.conn, call.who, lang, call.stamp)
    call.lang = lang
    return [Message(call.t("fac-lang-set", language=call.language_name(lang)))]

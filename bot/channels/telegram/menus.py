"""The bot's menu (setMyCommands) and the commands it understands. The menu's texts are in
the Fluent files (`locales/<lang>/telegram.ftl`, `menu-<command>`), like every other text."""

from __future__ import annotations

from telegram import BotCommand

from bot.i18n import Translator

MENU = ("start", "help", "language", "stop", "mydata", "delete")
"""The menu, in this order; /start is a join, the others engine keywords."""

KEYWORD_COMMANDS = {
    "help": "HELP",
    "skip": "SKIP",
    "language": "LANG",
    "stop": "STOP",
    "mydata": "MYDATA",
    "delete": "DELETE",
}
"""Commands and the engine keyword each one stands for."""

FACILITATOR_COMMANDS = frozenset(
    {
        *("prompt", "poll", "share", "send", "cancel", "close", "results", "answers"),
        *("statement", "statements", "approve", "reject", "round"),
        *("dashboard", "export", "web", "lang"),
    }
)
"""Passed as typed to the runner's facilitation, which decides who may use them."""


def menus(tr: Translator) -> dict[str | None, list[BotCommand]]:
    """language_code -> the menu in that language (None: the default menu, English)."""
    return {
        None if lang == "en" else lang: [BotCommand(c, tr(lang, f"menu-{c}")) for c in MENU]
        for lang in tr.languages
    }

"""Global keywords, understood before any flow, in every language (each language's
words are in its `locales/<code>/language.yaml`).

A keyword counts only when it is the whole message (`STOP`, `stop!`), so an open answer
that merely contains the word is not taken as one. LANG, JOIN and POLL take one argument;
whether the argument is valid (a known dialogue, a language, a number) is the engine's
call: "Join us" is an answer, not JOIN with the code "us".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.engine.replies import norm

if TYPE_CHECKING:
    from bot.engine.lexicon import Lexicon

Keyword = Literal[
    "stop", "start", "help", "lang", "mydata", "delete", "join", "skip", "poll", "statement",
    "idea",
]  # fmt: skip

_TAKES_ARGUMENT = {"lang", "join", "poll", "statement"}
_NEEDS_ARGUMENT = {"poll", "statement"}
_TAKES_TEXT = {"idea"}
"""IDEA takes the rest of the message, as typed: `IDEA Clean water for every school`."""


@dataclass(frozen=True)
class Command:
    keyword: Keyword
    argument: str = ""


def parse(text: str, lex: Lexicon) -> Command | None:
    """`ARRÊT` -> stop; `LANGUE es` -> lang es; `/mydata` -> mydata; else None."""
    words_of = lex.keywords
    words = norm(text.lstrip("/")).split()
    if not words:
        return None
    first = words[0].split("@")[0]  # Telegram's /cmd@botname
    joined = "".join(words)
    if len(words) == 1 or joined in words_of:
        kw = words_of.get(joined) or words_of.get(first)
        if kw is None or kw in _NEEDS_ARGUMENT:
            return None
        return Command(kw)
    kw = words_of.get(first)
    if kw in _TAKES_ARGUMENT and len(words) == 2:
        return Command(kw, words[1])
    if kw in _TAKES_TEXT:
        rest = text.strip().lstrip("/").split(None, 1)
        return Command(kw, rest[1].strip() if len(rest) > 1 else "")
    return None

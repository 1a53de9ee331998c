"""Global keywords, understood before any flow, in English, French and Spanish.

A keyword counts only when it is the whole message (`STOP`, `stop!`), so an open answer
that merely contains the word is not taken as one. LANG, JOIN and POLL take one argument;
whether the argument is valid (a known dialogue, a language, a number) is the engine's
call: "Join us" is an answer, not JOIN with the code "us".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.engine.replies import norm

Keyword = Literal[
    "stop", "start", "help", "lang", "mydata", "delete", "join", "skip", "poll"
]  # fmt: skip

WORDS: dict[str, Keyword] = {
    "stop": "stop", "arret": "stop", "alto": "stop", "baja": "stop", "stopall": "stop",
    "unsubscribe": "stop", "cancel": "stop", "end": "stop", "quit": "stop",
    "start": "start", "unstop": "start", "demarrer": "start", "inicio": "start",
    "help": "help", "aide": "help", "ayuda": "help", "info": "help",
    "lang": "lang", "language": "lang", "langue": "lang", "idioma": "lang",
    "mydata": "mydata", "mesdonnees": "mydata", "misdatos": "mydata",
    "delete": "delete", "supprimer": "delete", "borrar": "delete", "eliminar": "delete",
    "join": "join", "rejoindre": "join", "unirse": "join",
    "skip": "skip", "passer": "skip", "saltar": "skip",
    "poll": "poll", "sondage": "poll", "encuesta": "poll",
}  # fmt: skip
_TAKES_ARGUMENT = {"lang", "join", "poll"}
_NEEDS_ARGUMENT = {"poll"}


@dataclass(frozen=True)
class Command:
    keyword: Keyword
    argument: str = ""


def parse(text: str) -> Command | None:
    """`ARRÊT` -> stop; `LANGUE es` -> lang es; `/mydata` -> mydata; else None."""
    words = norm(text.lstrip("/")).split()
    if not words:
        return None
    first = words[0].split("@")[0]  # Telegram's /cmd@botname
    joined = "".join(words)
    if len(words) == 1 or joined in WORDS:
        kw = WORDS.get(joined) or WORDS.get(first)
        if kw is None or kw in _NEEDS_ARGUMENT:
            return None
        return Command(kw)
    kw = WORDS.get(first)
    if kw in _TAKES_ARGUMENT and len(words) == 2:
        return Command(kw, words[1])
    return None

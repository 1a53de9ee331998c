"""What people type besides answers (keywords, number words, yes and no, "and"), in
every language Baraza speaks at once. Loaded from `locales/<code>/language.yaml` by
`bot.languages`; the engine only reads it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from bot.engine.keywords import Keyword


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    order: int = 100


@dataclass(frozen=True)
class Lexicon:
    """What people type besides answers, in every language at once."""

    languages: tuple[Language, ...] = ()
    keywords: Mapping[str, Keyword] = field(default_factory=dict)
    numbers: Mapping[str, int] = field(default_factory=dict)
    yes: frozenset[str] = frozenset()
    no: frozenset[str] = frozenset()
    conjunctions: frozenset[str] = frozenset()
    greetings: frozenset[str] = frozenset()
    """"hi", "bonjour", "hola": a hello is never an answer."""

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    def name_of(self, code: str) -> str:
        return next((lang.name for lang in self.languages if lang.code == code), code)

    def pick(self, explicit: str | None, hint: str | None, default: str) -> str:
        """Explicit choice, then the channel's hint (`fr-CA` -> `fr`), then the default."""
        return pick_language(explicit, hint, default, self.codes)


def pick_language(
    explicit: str | None, hint: str | None, default: str, known: Collection[str]
) -> str:
    """Explicit choice, then the channel's hint (`fr-CA` -> `fr`), then the default."""
    if explicit in known:
        return explicit  # type: ignore[return-value]
    if hint:
        base = hint.replace("_", "-").split("-")[0].lower()
        if base in known:
            return base
    return default

"""Fluent texts per language (`locales/<lang>/*.ftl`).

Bundles are built with `use_isolating=False`: the bidi isolation marks Fluent adds by
default are not GSM-7 and would turn every SMS into UCS-2. Numbers are passed as text and
narrow no-break spaces are replaced, for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from fluent.runtime import FluentBundle, FluentResource
from fluent.runtime.types import FluentInt
from fluent.syntax import FluentParser, ast

from bot import languages as language_files
from bot.engine.lexicon import Lexicon

T = TypeVar("T")
_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " ", "\u2068": None, "\u2069": None})


@dataclass
class LocaleFile:
    path: Path
    lang: str
    resource: ast.Resource


@dataclass
class Translator:
    """Formats message ids in a language, falling back to `default` then to the id."""

    bundles: Mapping[str, FluentBundle]
    default: str = "en"
    files: list[LocaleFile] = field(default_factory=list)
    lexicon: Lexicon = field(default_factory=Lexicon)
    """What people type besides answers, in every language (`locales/*/language.yaml`)."""
    _cache: dict[tuple[object, ...], str] = field(default_factory=dict, repr=False)
    """Formatted texts: a turn formats the same few texts again and again."""
    _made: dict[tuple[str, ...], Any] = field(default_factory=dict, repr=False)
    """What `made` built from texts (a step's question, its labels in every language)."""

    @cached_property
    def languages(self) -> tuple[str, ...]:
        """Every language with texts, in the order of the language menu (bundles and
        lexicon are set once, at load)."""
        return tuple(lang for lang in self.lexicon.codes if lang in self.bundles)

    def name_of(self, lang: str) -> str:
        """A language's name in its own words (`Français`)."""
        return self.lexicon.name_of(lang)

    def pick(self, explicit: str | None, hint: str | None, default: str) -> str:
        """Explicit choice, then the channel's hint (`fr-CA` -> `fr`), then the default."""
        return self.lexicon.pick(explicit, hint, default)

    def has(self, lang: str, msg_id: str) -> bool:
        bundle = self.bundles.get(lang)
        return bundle is not None and bundle.has_message(msg_id)

    def __call__(self, lang: str, msg_id: str, **args: str | int) -> str:
        key = (lang, msg_id, *sorted(args.items()))
        text = self._cache.get(key)
        if text is None:
            if len(self._cache) > 50_000:
                self._cache.clear()
            text = self._cache[key] = self._format(lang, msg_id, args)
        return text

    def made(self, key: tuple[str, ...], build: Callable[[], T]) -> T:
        """`build()`, made once per `key`: for what depends only on texts, which do not
        change while the process runs (a flow step's question as asked in a language:
        a third of a turn's engine time went to building it again)."""
        try:
            value: T = self._made[key]
        except KeyError:
            if len(self._made) > 10_000:
                self._made.clear()
            value = self._made[key] = build()
        return value

    def _format(self, lang: str, msg_id: str, args: Mapping[str, str | int]) -> str:
        for candidate in (lang, self.default):
            bundle = self.bundles.get(candidate)
            if bundle is not None and bundle.has_message(msg_id):
                message = bundle.get_message(msg_id)
                if message.value is None:
                    continue
                text, _errors = bundle.format_pattern(
                    message.value, {k: _argument(v) for k, v in args.items()}
                )
                return str(text).translate(_SPACES)
        return msg_id


def _argument(value: str | int) -> str | FluentInt:
    if isinstance(value, int) and not isinstance(value, bool):
        return FluentInt(value, useGrouping=False)
    return str(value)


def load_translator(locales_dir: Path, default: str = "en") -> Translator:
    """Every language folder of `locales_dir` (one with a `language.yaml`): its words and
    its `.ftl` texts."""
    lexicon = language_files.load(locales_dir)
    bundles: dict[str, FluentBundle] = {}
    files: list[LocaleFile] = []
    for lang in lexicon.codes:
        folder = locales_dir / lang
        bundle = FluentBundle([lang], use_isolating=False)
        for path in sorted(folder.glob("*.ftl")):
            text = path.read_text(encoding="utf-8")
            bundle.add_resource(FluentResource(text))
            files.append(LocaleFile(path, lang, FluentParser(with_spans=True).parse(text)))
        bundles[lang] = bundle
    return Translator(bundles, default, files, lexicon)


def pick_language(explicit: str | None, hint: str | None, default: str, tr: Translator) -> str:
    """Explicit choice, then the channel's hint (`fr-CA` -> `fr`), then the default."""
    return tr.pick(explicit, hint, default)

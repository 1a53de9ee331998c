"""The languages Baraza speaks: one folder each in `locales/`, found by themselves.

`locales/<code>/language.yaml` says the language's name in its own words, its place in
the language menu, and the words people type in it besides answers: keywords, number
words, yes and no, "and". Its `.ftl` files hold its texts. Adding a language is adding
that folder (`baraza check` says what is missing).

Every language's words are understood from everyone: someone who chose French may still
send STOP or "two".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.engine.keywords import Keyword
from bot.engine.lexicon import Language, Lexicon
from bot.engine.replies import norm

CODE = r"^[a-z]{2,3}$"


class LanguageFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(min_length=1)
    order: int = 100
    keywords: dict[Keyword, tuple[str, ...]] = Field(default_factory=dict)
    numbers: dict[str, int] = Field(default_factory=dict)
    yes: tuple[str, ...] = ()
    no: tuple[str, ...] = ()
    greetings: tuple[str, ...] = ()
    and_: tuple[str, ...] = Field(default=(), alias="and")


class LanguageProblem(ValueError):
    """A `language.yaml` that cannot be used: `where` is the file, `reason` says why."""

    def __init__(self, where: Path, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


def problems(locales_dir: Path) -> list[tuple[Path, str]]:
    """(file, reason) for every language folder whose language.yaml is missing or wrong."""
    found = []
    for folder in folders(locales_dir):
        path = folder / "language.yaml"
        if not path.is_file():
            found.append(
                (path, "missing: give the language's name and the words people type in it"
                 " (copy locales/en/language.yaml and translate it)")
            )
            continue
        try:
            _read(folder)
        except LanguageProblem as exc:
            found.append((exc.where, exc.reason))
    return found


def _read(folder: Path) -> tuple[Language | None, LanguageFile | None]:
    path = folder / "language.yaml"
    if not path.is_file():
        return Language(folder.name, folder.name), LanguageFile(name=folder.name)
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        data = LanguageFile.model_validate(raw)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LanguageProblem(path, f"cannot read: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "file"
        raise LanguageProblem(path, f"{where}: {first['msg']}") from exc
    return Language(folder.name, data.name, data.order), data


def folders(locales_dir: Path) -> list[Path]:
    """The language folders: `locales/<code>/` with a language.yaml or texts (a folder
    with texts and no language.yaml still counts, named by its code; `baraza check`
    asks for the file)."""
    if not locales_dir.is_dir():
        return []
    return sorted(
        p
        for p in locales_dir.iterdir()
        if p.is_dir()
        and re.match(CODE, p.name)
        and ((p / "language.yaml").is_file() or any(p.glob("*.ftl")))
    )


def load(locales_dir: Path) -> Lexicon:
    found: list[tuple[Language, LanguageFile]] = []
    for folder in folders(locales_dir):
        try:
            lang, data = _read(folder)
        except LanguageProblem:  # reported by `baraza check`; the folder's texts still count
            lang, data = Language(folder.name, folder.name), LanguageFile(name=folder.name)
        if lang is not None and data is not None:
            found.append((lang, data))
    found.sort(key=lambda pair: (pair[0].order, pair[0].code))
    return lexicon(found)


def lexicon(found: Iterable[tuple[Language, LanguageFile]]) -> Lexicon:
    keywords: dict[str, Keyword] = {}
    numbers: dict[str, int] = {}
    yes: set[str] = set()
    no: set[str] = set()
    conjunctions: set[str] = set()
    greetings: set[str] = set()
    languages = []
    for lang, data in found:
        languages.append(lang)
        for keyword, words in data.keywords.items():
            for word in words:
                keywords.setdefault(norm(str(word)).replace(" ", ""), keyword)
        for word, n in data.numbers.items():
            numbers.setdefault(norm(str(word)), n)
        yes |= {norm(str(w)) for w in data.yes}
        no |= {norm(str(w)) for w in data.no}
        conjunctions |= {norm(str(w)) for w in data.and_}
        greetings |= {norm(str(w)) for w in data.greetings}
    return Lexicon(
        tuple(languages),
        keywords,
        numbers,
        frozenset(yes),
        frozenset(no),
        frozenset(conjunctions),
        frozenset(greetings),
    )

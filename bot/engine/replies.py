"""Understanding what people type: numbers, number words, labels with typos, yes/no.

The words of each language (number words, yes and no, "and") come from its
`locales/<code>/language.yaml`, through the `Lexicon` every function here is given.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.engine.lexicon import Lexicon

_SEPARATORS = re.compile(r"[\s,;/+&]+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_NUMBER = re.compile(r"^#?\s?\(?\s?(\d{1,3})\s?[).]?$")
_NEGATIVE = re.compile(r"^\s*[-\u2212\u2013]\s*\d")
"""A minus sign before a number: "-1" is not option 1, nor "-3" an age band."""
_MIN_WORD = 4


def _norm(text: str) -> str:
    """Casefolded, accents stripped, spaces folded, punctuation trimmed at both ends."""
    bare = text
    if not text.isascii():  # ASCII has no accents to strip, nor compatibility forms
        decomposed = unicodedata.normalize("NFKD", text)
        bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = " ".join(bare.casefold().split())
    return _EDGE_PUNCT.sub("", bare)


norm = lru_cache(maxsize=64)(_norm)
"""`_norm` of what someone typed: a turn reads the same text four or five times (the
context, a greeting, a keyword, the step's answer), 0.8-2 us each without the cache."""
norm_label = lru_cache(maxsize=4096)(_norm)
"""`norm` of an option label (the flows' words, never what people typed): each turn on a
choice step reads every label of the step in every language."""


def has_content(text: str) -> bool:
    """At least one letter or digit: emoji-only or punctuation-only is not an answer."""
    return any(c.isalnum() for c in text)


def number(text: str, lex: Lexicon) -> int | None:
    """`2`, `#2`, `2.`, `(2)`, `two`, `deux`, `dos` -> 2; `-2` -> None."""
    if _NEGATIVE.match(text):
        return None
    word = norm(text)
    if word in lex.numbers:
        return lex.numbers[word]
    m = _NUMBER.match(word)
    return int(m.group(1)) if m else None


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def match_label(text: str, labels: Sequence[Sequence[str]]) -> int | None:
    """Index of the option whose label (in any language) the text names, forgiving typos.

    `labels[i]` holds option i's labels. An exact match wins; otherwise the closest label
    within 1 edit (short words) or 2 edits (8+ letters), if only one option is that close.
    """
    want = norm(text)
    if not want:
        return None
    normed = [[norm_label(label) for label in opts] for opts in labels]
    for i, opts in enumerate(normed):
        if want in opts:
            return i
    limit = 1 if len(want) < 8 else 2
    if len(want) < 4:
        return None
    best: dict[int, int] = {}
    for i, opts in enumerate(normed):
        for label in opts:
            d = distance(want, label, limit)
            if d <= limit:
                best[i] = min(best.get(i, d), d)
    if not best:
        # a unique label that starts with what was typed ("civil" for "Civil society")
        prefixed = {i for i, opts in enumerate(normed) for label in opts if label.startswith(want)}
        if len(prefixed) == 1:
            return prefixed.pop()
        return distinctive_word(want, normed)
    top = min(best.values())
    winners = [i for i, d in best.items() if d == top]
    return winners[0] if len(winners) == 1 else None


def distinctive_word(want: str, normed: Sequence[Sequence[str]]) -> int | None:
    """The one option that a typed word names by a word found in no other option's
    labels: "comerciante" for "Como comerciante", "gouvernement" for "Le gouvernement"."""
    words = [set(" ".join(opts).split()) for opts in normed]
    owners: dict[str, set[int]] = {}
    for i, ws in enumerate(words):
        for w in ws:
            if len(w) >= _MIN_WORD:
                owners.setdefault(w, set()).add(i)
    hits: set[int] = set()
    for token in want.split():
        if len(token) < _MIN_WORD:
            continue
        limit = 1 if len(token) < 8 else 2
        for w, who in owners.items():
            if len(who) == 1 and (w == token or distance(token, w, limit) <= limit):
                hits |= who
    return hits.pop() if len(hits) == 1 else None


def choice(text: str, labels: Sequence[Sequence[str]], lex: Lexicon) -> int | None:
    """A number 1..n or an option's label -> 0-based index."""
    n = number(text, lex)
    if n is not None:
        return n - 1 if 1 <= n <= len(labels) else None
    return match_label(text, labels)


def multi(text: str, labels: Sequence[Sequence[str]], lex: Lexicon) -> tuple[int, ...] | None:
    """`1 3`, `1,3`, `water and jobs` -> (0, 2); None when anything does not fit. How many
    may be chosen is the caller's check (so it can say "at most 3")."""
    if _NEGATIVE.match(text):
        return None
    whole = choice(text, labels, lex)
    if whole is not None:
        return (whole,)
    picks: list[int] = []
    for token in _SEPARATORS.split(norm(text)):
        if not token or token in lex.conjunctions:
            continue
        idx = choice(token, labels, lex)
        if idx is None:
            return None
        if idx not in picks:
            picks.append(idx)
    return tuple(picks) or None


def yes_no(text: str, lex: Lexicon) -> bool | None:
    word = norm(text)
    if word in lex.yes or word == "1":
        return True
    if word in lex.no or word == "2":
        return False
    return None


def scale(text: str, low: int, high: int, lex: Lexicon) -> int | None:
    if _NEGATIVE.match(text):
        return None
    n = number(text, lex)
    if n is None:
        m = re.fullmatch(r"(\d{1,2})\s*/\s*\d{1,2}", norm(text))
        n = int(m.group(1)) if m else None
    return n if n is not None and low <= n <= high else None

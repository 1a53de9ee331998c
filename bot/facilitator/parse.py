"""Reading facilitator commands: `/poll --closes 24h en: Q | A | B || fr: Q | A | B`.

Prompts give their languages with `|`: `/prompt en: ... | fr: ... | es: ...`. Polls use
`|` between question and options, so their languages are separated with `||`. Without
language prefixes the same text goes to everyone. Options before the text:
`--to <group>` (one stakeholder group), `--closes 24h`, `--opens 2h`, `--dialogue <code>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

COMMANDS = ("prompt", "poll", "close", "results", "share", "dashboard", "export", "web")
MAX_OPTIONS = 10
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$", re.IGNORECASE)
_OPTION = re.compile(r"^--([a-z]+)\s+(\S+)\s*", re.IGNORECASE)
_FLAG = re.compile(r"^--(urgent)\b\s*", re.IGNORECASE)
"""Options that take no value: `--urgent` comes first, even to people mid-question."""
_LANG = re.compile(r"^\s*(en|fr|es)\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)


class UsageError(ValueError):
    """What was wrong, as a Fluent message id and its arguments."""

    def __init__(self, msg_id: str, **args: str | int) -> None:
        super().__init__(msg_id)
        self.msg_id = msg_id
        self.args_ = args


@dataclass
class Command:
    name: str
    body: str = ""
    options: dict[str, str] = field(default_factory=dict)


def parse_command(text: str) -> Command | None:
    """`/poll@bot --to government Q | A | B` -> Command("poll", "Q | A | B", {"to": ...})."""
    text = text.strip()
    if not text.startswith("/"):
        return None
    head, _, rest = text[1:].partition(" ")
    name = head.split("@")[0].lower()
    if name not in COMMANDS:
        return None
    options: dict[str, str] = {}
    rest = rest.strip()
    while m := (_FLAG.match(rest) or _OPTION.match(rest)):
        options[m.group(1).lower()] = m.group(2) if m.re is _OPTION else ""
        rest = rest[m.end() :]
    return Command(name, rest.strip(), options)


def duration(text: str) -> timedelta:
    m = _DURATION.match(text.strip())
    if not m:
        raise UsageError("fac-bad-duration", value=text)
    amount, unit = float(m.group(1)), m.group(2).lower()
    minutes = {"m": 1, "min": 1, "h": 60, "d": 1440, "w": 10080}[unit]
    return timedelta(minutes=amount * minutes)


def _by_language(parts: list[str], languages: tuple[str, ...]) -> dict[str, str]:
    tagged = [_LANG.match(p) for p in parts]
    if not any(tagged):
        return {}
    if not all(tagged):
        raise UsageError("fac-mixed-languages")
    return {m.group(1).lower(): m.group(2).strip() for m in tagged if m}


def prompt_texts(body: str, languages: tuple[str, ...]) -> dict[str, dict[str, object]]:
    if not body.strip():
        raise UsageError("fac-usage-prompt")
    parts = [p for p in body.split("|") if p.strip()]
    tagged = _by_language(parts, languages)
    if not tagged:
        return {lang: {"question": body.strip()} for lang in languages}
    if any(not t for t in tagged.values()):
        raise UsageError("fac-usage-prompt")
    return {lang: {"question": text} for lang, text in tagged.items()}


def poll_texts(body: str, languages: tuple[str, ...]) -> dict[str, dict[str, object]]:
    blocks = [b for b in body.split("||") if b.strip()]
    if not blocks:
        raise UsageError("fac-usage-poll")
    heads = [b.split("|", 1)[0] for b in blocks]
    tagged = _by_language(heads, languages)
    texts: dict[str, dict[str, object]] = {}
    for block in blocks:
        m = _LANG.match(block)
        lang = m.group(1).lower() if m else None
        content = m.group(2) if m else block
        pieces = [p.strip() for p in content.split("|")]
        question, options = pieces[0], [p for p in pieces[1:] if p]
        if not question or len(options) < 2:
            raise UsageError("fac-usage-poll")
        if len(options) > MAX_OPTIONS:
            raise UsageError("fac-too-many-options", max=MAX_OPTIONS)
        for target in [lang] if lang else list(languages):
            texts[target] = {"question": question, "options": options}
    if tagged and len({len(t["options"]) for t in texts.values()}) > 1:  # type: ignore[arg-type]
        raise UsageError("fac-options-differ")
    if not tagged and len(blocks) > 1:
        raise UsageError("fac-mixed-languages")
    return texts

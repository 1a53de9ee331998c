"""Reading facilitator commands: `/poll --closes 24h en: Q | A | B || fr: Q | A | B`.

Prompts give their languages with `|`: `/prompt en: ... | fr: ... | es: ...`. Polls use
`|` between question and options, so their languages are separated with `||`. Without
language prefixes the same text goes to everyone. Options come before the text:
`--to <group>` (one stakeholder group), `--opens 2h`, `--closes 24h` (both counted from
now), `--urgent`, `--dialogue <code>`.

Everything wrong is a `UsageError`: a Fluent message id saying why, which the command's
example follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

COMMANDS = (
    "help", "lang", "prompt", "poll", "share", "send", "cancel", "close", "results",
    "answers", "dashboard", "export", "web",
    "statement", "statements", "approve", "reject", "round",
)  # fmt: skip
"""Every facilitator command (`/start` is answered like `/help`); anything else that starts
with `/` gets the help, from a facilitator."""
FACILITATOR_ONLY = frozenset(COMMANDS) - {"help", "lang", "cancel"}
"""Refused to anyone else. `/help`, `/lang` and `/cancel` mean something to participants
too (their help, their language, STOP) and go to their flow."""
BROADCAST_OPTIONS = frozenset({"to", "opens", "closes", "urgent", "dialogue"})
OPTIONS: dict[str, frozenset[str]] = {
    "prompt": BROADCAST_OPTIONS,
    "poll": BROADCAST_OPTIONS,
    **{name: frozenset({"dialogue"}) for name in ("share", "close", "results", "answers")},
    **{name: frozenset({"dialogue"}) for name in ("dashboard", "export")},
    **{name: frozenset({"dialogue"}) for name in ("statement", "statements", "approve", "reject")},
    "round": frozenset({"to", "count", "urgent", "dialogue"}),
}
"""The options each command takes (none where it is not listed)."""
TAKES_NO_TEXT = frozenset({"send", "cancel", "round"})
FLAGS = frozenset({"urgent"})
"""Options without a value: `--urgent` comes first, even to people mid-question."""

MAX_OPTIONS = 10
MIN_LEAD = timedelta(minutes=1)
"""`--opens` at least this far ahead (without it, a broadcast goes out at once)."""
MIN_OPEN = timedelta(minutes=10)
"""A poll or prompt stays open at least this long."""
MAX_AHEAD = timedelta(days=60)
"""`--opens` and `--closes` at most this far ahead: a typo like 9999d is refused."""

_COMMAND = re.compile(r"^/(\S+)")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$", re.IGNORECASE)
_OPTION = re.compile(r"^--([a-z][a-z-]*)(?:\s+|$)", re.IGNORECASE)
_VALUE = re.compile(r"^(\S+)\s*")


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
    typed: str = ""
    """The command word as typed (`/Pol`), for "unknown command" answers."""


def parse_command(text: str) -> Command | None:
    """`/poll@bot --to government Q | A | B` -> Command("poll", "Q | A | B", {"to": ...}).
    Any `/word` is a command here (an unknown name stays as typed, lower case)."""
    found = _COMMAND.match(text.strip())
    if found is None:
        return None
    typed = found.group(1).split("@")[0]
    name = typed.lower()
    options: dict[str, str] = {}
    rest = text.strip()[found.end() :].strip()
    while m := _OPTION.match(rest):
        option = m.group(1).lower()
        rest = rest[m.end() :]
        value = ""
        if option not in FLAGS and (v := _VALUE.match(rest)) and not rest.startswith("--"):
            value, rest = v.group(1), rest[v.end() :]
        options[option] = value
    return Command(name, rest.strip(), options, typed="/" + typed)


def check_options(cmd: Command) -> None:
    """Refuse options the command does not take (`--foo`, `--to` on /close...)."""
    allowed = OPTIONS.get(cmd.name, frozenset())
    for option, value in cmd.options.items():
        if option not in allowed:
            raise UsageError("fac-unknown-option", option=f"--{option}")
        if option not in FLAGS and not value:
            raise UsageError("fac-option-needs-value", option=f"--{option}")
    if cmd.name in TAKES_NO_TEXT and cmd.body:
        raise UsageError("fac-takes-no-text", command=f"/{cmd.name}")


def duration(text: str) -> timedelta:
    m = _DURATION.match(text.strip())
    if not m:
        raise UsageError("fac-bad-duration", value=text)
    amount, unit = float(m.group(1)), m.group(2).lower()
    minutes = {"m": 1, "min": 1, "h": 60, "d": 1440, "w": 10080}[unit]
    return timedelta(minutes=amount * minutes)


def schedule(options: dict[str, str], now: datetime) -> tuple[datetime | None, datetime | None]:
    """(opens, closes) from `--opens` and `--closes`, both counted from now, checked:
    opening ahead, closing after opening and open long enough, neither too far ahead."""
    opens = closes = None
    if "opens" in options:
        lead = duration(options["opens"])
        if lead < MIN_LEAD:
            raise UsageError("fac-opens-too-soon", value=options["opens"])
        if lead > MAX_AHEAD:
            raise UsageError("fac-too-far", option="--opens", value=options["opens"], days=60)
        opens = now + lead
    if "closes" in options:
        span = duration(options["closes"])
        if span > MAX_AHEAD:
            raise UsageError("fac-too-far", option="--closes", value=options["closes"], days=60)
        closes = now + span
        if opens is not None and closes <= opens:
            raise UsageError(
                "fac-closes-before-opens", opens=options["opens"], closes=options["closes"]
            )
        if closes - (opens or now) < MIN_OPEN:
            raise UsageError("fac-closes-too-soon", value=options["closes"], minutes=10)
    return opens, closes


def _tagged(languages: tuple[str, ...]) -> re.Pattern[str]:
    """`en: ...`, `fr: ...`: a part given in one of the dialogue's languages."""
    codes = "|".join(sorted(languages, key=len, reverse=True)) or "en"
    return re.compile(rf"^\s*({codes})\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)


def _by_language(parts: list[str], languages: tuple[str, ...]) -> dict[str, str]:
    tag = _tagged(languages)
    tagged = [tag.match(p) for p in parts]
    if not any(tagged):
        return {}
    if not all(tagged):
        raise UsageError("fac-mixed-languages")
    found: dict[str, str] = {}
    for m in tagged:
        assert m is not None
        lang = m.group(1).lower()
        if lang in found:
            raise UsageError("fac-language-twice", prefix=lang)
        found[lang] = m.group(2).strip()
    return found


def ordered(texts: dict[str, Any], languages: tuple[str, ...]) -> dict[str, Any]:
    """The texts with the one that stands in for missing languages first (the first of
    the dialogue's languages given, else the first given): what participants whose
    language has no text receive."""
    first = fallback_of(list(texts), languages)
    return {first: texts[first], **{k: v for k, v in texts.items() if k != first}}


def fallback_of(given: list[str], languages: tuple[str, ...]) -> str:
    return next((lang for lang in languages if lang in given), given[0])


def prompt_texts(body: str, languages: tuple[str, ...]) -> dict[str, dict[str, object]]:
    if not body.strip():
        raise UsageError("fac-usage-prompt")
    parts = [p for p in body.split("|") if p.strip()]
    tagged = _by_language(parts, languages)
    if not tagged:
        return {lang: {"question": body.strip()} for lang in languages}
    if any(not t for t in tagged.values()):
        raise UsageError("fac-empty-language")
    return ordered({lang: {"question": text} for lang, text in tagged.items()}, languages)


def poll_texts(body: str, languages: tuple[str, ...]) -> dict[str, dict[str, object]]:
    blocks = [b for b in body.split("||") if b.strip()]
    if not blocks:
        raise UsageError("fac-usage-poll")
    heads = [b.split("|", 1)[0] for b in blocks]
    tagged = _by_language(heads, languages)
    if not tagged and len(blocks) > 1:
        raise UsageError("fac-mixed-languages")
    texts: dict[str, dict[str, object]] = {}
    tag = _tagged(languages)
    for block in blocks:
        m = tag.match(block)
        lang = m.group(1).lower() if m else None
        content = m.group(2) if m else block
        pieces = [p.strip() for p in content.split("|")]
        question, options = pieces[0], [p for p in pieces[1:] if p]
        if not question:
            raise UsageError("fac-poll-no-question")
        if len(options) < 2:
            raise UsageError("fac-poll-one-option", count=len(options))
        if len(options) > MAX_OPTIONS:
            raise UsageError("fac-too-many-options", max=MAX_OPTIONS, count=len(options))
        seen: set[str] = set()
        for option in options:
            if option.casefold() in seen:
                raise UsageError("fac-duplicate-option", option=option)
            seen.add(option.casefold())
        for target in [lang] if lang else list(languages):
            texts[target] = {"question": question, "options": options}
    if tagged and len({len(t["options"]) for t in texts.values()}) > 1:  # type: ignore[arg-type]
        raise UsageError("fac-options-differ")
    return ordered(texts, languages) if tagged else texts


def number(body: str, command: str) -> int | None:
    """The poll id a command names (None: the latest); `abc` is refused."""
    text = body.strip().lstrip("#")
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise UsageError("fac-not-a-number", value=body.strip(), command=f"/{command}")
    return int(text)

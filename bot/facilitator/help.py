"""The facilitators' help: `/help` (every command), `/help poll` (one command, with an
example). A facilitator who writes anything else (`/start`, plain text, an unknown
`/foo`) gets it too: facilitators are not onboarded as participants."""

from __future__ import annotations

from bot.engine.io import Message
from bot.facilitator.call import Call
from bot.facilitator.parse import COMMANDS


def text(call: Call) -> str:
    names = ", ".join(
        f"{call.dialogues[c].title_in(call.lang)} ({c})"
        for c in call.allowed
        if c in call.dialogues
    )
    return call.t("fac-help", dialogues=names, zone=call.dialogue.timezone)


def command(call: Call) -> list[Message]:
    topic = call.cmd.body.strip().lstrip("/").lower()
    if topic in COMMANDS and call.tr.has(call.lang, f"fac-usage-{topic}"):
        return [Message(call.t(f"fac-usage-{topic}"))]
    return [Message(text(call))]


def unknown(call: Call) -> list[Message]:
    """An unknown `/foo`: said so, then the help (never the participants' flow)."""
    return [Message(call.t("fac-unknown-command", command=call.cmd.typed) + "\n\n" + text(call))]


def not_a_participant(call: Call) -> list[Message]:
    """`/start`, a chat opening, plain text, a tap on a participant's button."""
    return [Message(call.t("fac-not-participant") + "\n\n" + text(call))]

"""Rendering a message for text-only channels (console, SMS): numbered answers."""

from __future__ import annotations

from bot.engine.io import Message


def render(message: Message) -> str:
    """Question text, then `1 Label` lines, then the hint (`Reply with up to 3 numbers`)."""
    q = message.question
    if q is None or q.kind == "text":
        return message.text
    lines = [message.text]
    if q.kind == "scale":
        lines.append(q.hint)
        return "\n".join(lines)
    lines.extend(f"{i} {o.label}" for i, o in enumerate(q.options, 1))
    if q.hint:
        lines.append(q.hint)
    return "\n".join(lines)

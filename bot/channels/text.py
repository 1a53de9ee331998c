"""Rendering a message for text-only channels (console, SMS): numbered answers."""

from __future__ import annotations

from bot.engine.io import Message, Results

BAR_WIDTH = 10


def bars(results: Results, block: str = "█") -> list[str]:
    """`Water ████████ 62%` where a share may be shown, `Roads <5` where it may not."""
    lines = []
    for f in results.figures:
        if f.share is None:
            lines.append(f"{f.label} {f.text}")
        else:
            bar = block * round(f.share * BAR_WIDTH)
            lines.append(" ".join(x for x in (f.label, bar, f"{round(f.share * 100)}%") if x))
    return lines


def render(message: Message, block: str = "█") -> str:
    """Question text, then `1 Label` lines, then the hint (`Reply with up to 3 numbers`);
    results as text bars (`block` is `=` by SMS, where █ would cost GSM-7)."""
    lines = [message.text]
    if message.results is not None:
        lines.extend(bars(message.results, block))
    q = message.question
    if q is not None and q.kind not in ("text", "scale"):
        lines.extend(f"{i} {o.label}" for i, o in enumerate(q.options, 1))
    if q is not None and q.hint:
        lines.append(q.hint)
    return "\n".join(lines)

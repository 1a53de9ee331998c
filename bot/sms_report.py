"""`baraza check --sms`: what every step of every flow costs as an SMS, in every language.

Each step is rendered the way the SMS channel sends it (the text with its numbered
options and hint, typographic characters replaced, the GSM-7 fallback applied when
configured), then measured: encoding, characters, segments. A question that needs more
than one segment is worth a warning (it is split into parts, which arrive separately and
cost more); the report itself never fails.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.channels.sms import gsm7
from bot.channels.text import render
from bot.config import Settings
from bot.engine.io import Message
from bot.engine.steps import Asking
from bot.flows import Flow, load_library
from bot.i18n import Translator, load_translator


@dataclass(frozen=True)
class SmsCost:
    flow: str
    step: str
    lang: str
    encoding: gsm7.Encoding
    chars: int
    segments: int
    question: bool


def _measure(flow: Flow, step: str, lang: str, message: Message, fallback: bool) -> SmsCost:
    text = gsm7.prepare(render(message), fallback=fallback)
    info = gsm7.segments(text)
    question = message.question is not None
    return SmsCost(flow.id, step, lang, info.encoding, len(text), info.segments, question)


def costs(
    flows: Mapping[str, Flow], tr: Translator, *, fallback: bool, title: str = "Baraza"
) -> Iterator[SmsCost]:
    """One entry per step and language (plus the consent's `-declined` answer)."""
    for flow in flows.values():
        for step in flow.steps:
            for lang in flow.spoken(tr.languages):
                text = tr(lang, f"{flow.id}-{step.id}", dialogue=title)
                question = None
                if step.asks:
                    question = step.ask(Asking(tr, flow.id, flow.spoken(tr.languages), step, lang, 1))
                yield _measure(flow, step.id, lang, Message(text, question), fallback)
                if step.gives_consent:
                    declined = Message(tr(lang, f"{flow.id}-{step.id}-declined"))
                    yield _measure(flow, f"{step.id}-declined", lang, declined, fallback)


def write_report(entries: list[SmsCost], out: TextIO, *, fallback: bool) -> None:
    out.write(f"SMS cost of every step (GSM-7 fallback {'on' if fallback else 'off'})\n")
    width = max([len(e.flow) for e in entries] + [4])
    step_width = max([len(e.step) for e in entries] + [4])
    header = f"{'flow':<{width}}  {'step':<{step_width}}  lang  encoding  chars  segments"
    out.write(header + "\n" + "-" * len(header) + "\n")
    for e in entries:
        out.write(
            f"{e.flow:<{width}}  {e.step:<{step_width}}  {e.lang:<4}  {e.encoding:<8}"
            f"  {e.chars:>5}  {e.segments:>8}\n"
        )
    out.write("\nPer flow and language: most segments in one message, messages in UCS-2\n")
    summary: dict[tuple[str, str], list[SmsCost]] = {}
    for e in entries:
        summary.setdefault((e.flow, e.lang), []).append(e)
    for (flow, lang), group in summary.items():
        most = max(e.segments for e in group)
        ucs2 = sum(e.encoding == "UCS-2" for e in group)
        out.write(f"{flow:<{width}}  {lang:<4}  max {most}  UCS-2 {ucs2}/{len(group)}\n")
    warnings = [e for e in entries if e.question and e.segments > 1]
    if warnings:
        out.write("\n")
    for e in warnings:
        out.write(
            f"WARN {e.flow}/{e.step} ({e.lang}): the question with its options needs"
            f" {e.segments} SMS segments ({e.encoding}, {e.chars} characters)\n"
        )


def report(
    paths: list[Path], locales_dir: Path, settings: Settings, out: TextIO | None = None
) -> int:
    """Print the table for valid flows; 0 (warnings are advice). Run `check` first."""
    library, _ = load_library(paths)
    tr = load_translator(locales_dir, settings.default_language)
    fallback = settings.sms_gsm_fallback
    entries = list(costs(library.flows, tr, fallback=fallback, title=settings.dialogue_title))
    write_report(entries, out or sys.stdout, fallback=fallback)
    return 0

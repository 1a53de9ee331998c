"""What a turn may read besides the participant: content, and the agenda items it touches."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from bot.dialogues import Dialogue
from bot.engine.io import ItemView
from bot.engine.state import Item
from bot.flows import Flow
from bot.i18n import Translator
from bot.records import quick_init

AT_REST = timedelta(minutes=15)
"""Someone who has not written for this long is at rest: a broadcast is shown to them at
once (their open question is asked again after it). Someone who wrote more recently is
mid-conversation: it waits until they answer, or until they have been quiet this long."""


@quick_init
@dataclass(frozen=True)
class Context:
    tr: Translator
    flows: Mapping[str, Flow]
    """The current version of each flow, by id: new runs start on these."""
    versions: Mapping[str, Flow]
    """Every version a run may be pinned to, by version hash."""
    dialogues: Mapping[str, Dialogue]
    default_dialogue: str
    """What a participant joins without a code."""
    answer_count: int = 0
    items: Mapping[Item, ItemView] = field(default_factory=dict)
    """The agenda items this turn may touch (the participant's, a tapped poll, POLL n),
    as the runner found them in storage. An item missing here is gone."""
    unseen: frozenset[Item] = frozenset()
    """Tentative items whose bulk messages were taken back before delivery."""
    statements: tuple[int, ...] = ()
    """Statements this participant has not voted on, the ones to ask first first (for a
    flow's `statements` step; given only in dialogues that have one)."""
    at_rest: timedelta = AT_REST

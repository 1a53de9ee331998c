"""One facilitator command being run: who sent it, in which language and dialogue, inside
the writer's transaction (`conn`). Command modules take a `Call` and return the replies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot import cells
from bot.dialogues import Dialogue, flows_of
from bot.engine.io import Inbound
from bot.facilitator.parse import Command
from bot.flows import Flow
from bot.i18n import Translator
from storage.conn import Conn


@dataclass
class Call:
    conn: Conn
    cmd: Command
    who: str
    """The facilitator (`telegram:<id>`, `tel:<E.164>`, `console:<name>`)."""
    lang: str
    """The facilitator's language: every reply is in it."""
    channel: str
    dialogue: Dialogue
    allowed: list[str]
    """The dialogues this facilitator may steer."""
    now: datetime
    tr: Translator
    dialogues: Mapping[str, Dialogue]
    flows: Mapping[str, Flow]
    inbound: Inbound
    sms_fallback: bool = True
    prepared: Any = None
    """What the command read before its transaction (the dashboard, an export)."""
    dispatch: bool = False
    """Set when the command started a broadcast: the runner delivers it afterwards."""
    whatsapp_template: bool = False
    """WHATSAPP_TEMPLATE_SID is set: outside WhatsApp's window a broadcast goes as it."""

    def t(self, msg_id: str, **args: str | int) -> str:
        return self.tr(self.lang, msg_id, **args)

    def on(self, dialogue: Dialogue) -> Call:
        """The same call about another dialogue (a draft's)."""
        return replace(self, dialogue=dialogue)

    @property
    def stamp(self) -> str:
        return self.now.isoformat()

    def at(self, when: datetime) -> str:
        """A time in the dialogue's time zone: `14:00 (Africa/Nairobi)` today,
        `2026-12-01 14:00 (Africa/Nairobi)` another day."""
        zone = self.dialogue.zone()
        local = when.astimezone(zone)
        today = self.now.astimezone(zone).date()
        shown = f"{local:%H:%M}" if local.date() == today else f"{local:%Y-%m-%d %H:%M}"
        return f"{shown} ({self.dialogue.timezone})"

    def language_name(self, lang: str) -> str:
        """A language as the facilitator reads it ("French"), else in its own words."""
        msg_id = f"fac-lang-{lang}"
        return self.t(msg_id) if self.tr.has(self.lang, msg_id) else self.tr.name_of(lang)

    @property
    def languages(self) -> tuple[str, ...]:
        """The dialogue's languages (every language with texts, unless it lists some)."""
        return self.dialogue.spoken(self.tr.languages)

    # --- stakeholder groups, named as the dialogue's flows name them -----------------------

    def group_question(self) -> tuple[str, tuple[str, ...]] | None:
        """(text id prefix, options) of the question that saves `profile.group`."""
        for flow_id in flows_of(self.dialogue, self.flows):
            flow = self.flows.get(flow_id)
            for step in flow.steps if flow is not None else ():
                if step.save == "profile.group":
                    return f"{flow_id}-{step.id}", tuple(str(o) for o in step.option_values())
        return None

    def groups(self) -> tuple[str, ...]:
        found = self.group_question()
        return found[1] if found is not None else tuple(self.dialogue.targets)

    def group_label(self, group: str) -> str:
        found = self.group_question()
        msg_id = f"{found[0]}-{group}" if found is not None else ""
        return self.t(msg_id) if msg_id and self.tr.has(self.lang, msg_id) else group


def people(cell: cells.Cell) -> dict[str, str | int]:
    """Fluent arguments for a count of people as shown: `count` selects the plural (a
    hidden count reads as "many"), `shown` is the figure itself (`<5` when small)."""
    return {"count": cell.value if cell.exact else cells.SMALL, "shown": cell.text}

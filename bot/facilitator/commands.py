"""Facilitator commands, from any channel: `Facilitation` is what the turn runner asks
first about every inbound message.

A facilitator is `telegram:<user id>`, `tel:<E.164>` or `console:<name>`, listed in
FACILITATORS (optionally `@<dialogue>`: without it, every dialogue) or added with
`baraza facilitators add`. Facilitators are not participants: whatever they send
(`/start`, plain text, a button) is theirs to handle here, never onboarding; they are
answered in their own language (`language`). Anyone else who sends a facilitator command
is refused, nothing changes, and the attempt is logged.

A command is one job in one transaction, like a turn: the claim of the message (so a
redelivered one applies once), the authorisation, the action and the reply. Long reads
(the dashboard, an export) are made before it; the reply still goes in with the claim.

| command | module |
|---|---|
| /help [command], /start, anything else | `help` |
| /lang [xx] | `language` |
| /prompt, /poll, /share, then /send or /cancel | `drafting` (previews: `preview`) |
| /close [ID], /results [ID] | `polls` |
| /dashboard, /export, /web | `reports` |
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bot.dialogues import Dialogue
from bot.engine import keywords
from bot.engine.io import Message
from bot.facilitator import deliberating, drafting, help, language, polls, reports
from bot.facilitator.call import Call
from bot.facilitator.parse import (
    FACILITATOR_ONLY,
    Command,
    UsageError,
    check_options,
    parse_command,
)
from bot.flows import Flow
from bot.i18n import Translator
from bot.phones import mask_address
from bot.turns import Envelope, Outcome
from storage import facilitators, inbound, outbox, participants
from storage.conn import Conn
from storage.db import Database

log = logging.getLogger(__name__)
PREFIX = {"sms": "tel", "telegram": "telegram", "console": "console"}

Handler = Callable[[Call], list[Message]]
Preparer = Callable[[reports.Reading], Awaitable[Any]]

PREPARE: dict[str, Preparer] = {
    "dashboard": reports.prepare_dashboard,
    "answers": reports.prepare_answers,
    "export": reports.prepare_export,
    "statements": reports.prepare_statements,
}
"""Commands with a long read, made before their transaction."""


def identity(channel: str, address: str) -> str:
    return f"{PREFIX.get(channel, channel)}:{address}"


def parse_facilitators(setting: str) -> dict[str, set[str] | None]:
    """`telegram:1@water, tel:+254...` -> {address: {dialogues} or None for all}."""
    found: dict[str, set[str] | None] = {}
    for item in setting.replace(",", " ").split():
        address, _, code = item.partition("@")
        if ":" not in address:
            continue
        if not code:
            found[address] = None
        elif found.get(address, set()) is not None:
            found.setdefault(address, set()).add(code)  # type: ignore[union-attr]
    return found


@dataclass
class Facilitation:
    db: Database
    tr: Translator
    dialogues: Mapping[str, Dialogue]
    default_dialogue: str
    configured: dict[str, set[str] | None]
    files_dir: Path
    """Where charts and exports are written before they are sent."""
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    dispatch: Callable[[], Awaitable[object]] | None = None
    """Delivers queued broadcasts (the runner's `dispatch_started`: the first batch, the
    rest in the background); awaited once a broadcast is sent."""
    web_base: str = "http://127.0.0.1:8080"
    """Where the web pages are reached, for the links `/web` gives (`bot.web.login`)."""
    flows: Mapping[str, Flow] = field(default_factory=dict)
    """The flows, for the stakeholder groups' names and the previews' SMS parts."""
    default_language: str = "en"
    sms_fallback: bool = True
    """SMS_GSM_FALLBACK: previews count SMS parts as the SMS channel will send them."""
    whatsapp_template: bool = False
    """WHATSAPP_TEMPLATE_SID is set: previews say who, outside WhatsApp's window, gets it."""

    def __post_init__(self) -> None:
        self.handlers: dict[str, Handler] = {
            "help": help.command,
            "start": help.not_a_participant,
            "lang": language.command,
            "prompt": drafting.prompt,
            "poll": drafting.poll,
            "share": drafting.share,
            "send": drafting.send,
            "cancel": drafting.cancel,
            "<button>": drafting.button,
            "close": polls.close,
            "results": polls.results,
            "answers": reports.show_prepared,
            "statement": deliberating.seed,
            "statements": deliberating.listing,
            "approve": deliberating.approve,
            "reject": deliberating.reject,
            "round": drafting.round_,
            "dashboard": reports.show_prepared,
            "export": reports.show_export,
            "web": lambda call: reports.web(call, self.web_base),
            "<text>": help.not_a_participant,
        }

    # --- who is a facilitator --------------------------------------------------------------

    def _configured(self, who: str) -> list[str]:
        if who not in self.configured:
            return []
        conf = self.configured[who]
        return [d for d in self.dialogues if conf is None or d in conf]

    def _allowed(self, conn: Conn, who: str) -> list[str]:
        conf = self.configured.get(who, set())
        if conf is None:
            return list(self.dialogues)
        stored = facilitators.dialogues_of(conn, who)
        return [d for d in self.dialogues if d in conf or d in stored]

    async def allowed_dialogues(self, who: str) -> list[str]:
        return await self.db.read(partial(self._allowed, who=who))

    def facilitator_question(
        self, channel: str, address: str
    ) -> tuple[str, tuple[str, ...]] | None:
        """What a participant's turn asks the database with its first read (address as
        facilitators are kept, the dialogues that count); None: a facilitator set in
        FACILITATORS, nothing to ask."""
        who = identity(channel, address)
        if self._configured(who):
            return None
        return who, tuple(self.dialogues)

    def is_facilitator(self, conn: Conn, channel: str, address: str) -> bool:
        """Whether messages from this address are a facilitator's (asked apart when the
        address has no participant row to ask it with)."""
        return bool(self._allowed(conn, identity(channel, address)))

    # --- handling a message ------------------------------------------------------------------

    def read(self, env: Envelope) -> Command:
        """What a facilitator's message asks for: a `/command`; HELP and LANG typed as
        keywords (Telegram's /help and /language arrive so); a tap on a preview's button;
        anything else is answered with the help."""
        given = env.inbound
        if given.kind == "button":
            return Command("<button>")
        if given.kind != "text":
            return Command("start")
        cmd = parse_command(given.text)
        if cmd is not None:
            return cmd
        kw = keywords.parse(given.text, self.tr.lexicon)
        if kw is not None and kw.keyword in ("help", "lang"):
            return Command(kw.keyword, kw.argument)
        return Command("<text>")

    async def handle(self, env: Envelope, *, facilitator: bool = False) -> Outcome | None:
        """Handle a facilitator's message, or anyone's facilitator command (refused);
        None for everything else. `facilitator`: the runner found the sender among the
        facilitators added with `baraza facilitators add`."""
        who = identity(env.channel, env.address)
        known = facilitator or bool(self._configured(who))
        if not known:
            typed = parse_command(env.inbound.text) if env.inbound.kind == "text" else None
            if typed is None or typed.name not in FACILITATOR_ONLY:
                return None
        cmd = self.read(env)
        now = self.clock()
        prepared = None
        if cmd.name in PREPARE:
            prepared = await self._prepare(env, cmd, now)
        outcome, dispatch = await self.db.write(
            partial(self._job, env=env, cmd=cmd, now=now, prepared=prepared)
        )
        if outcome.duplicate and isinstance(prepared, reports.Prepared):
            for path in prepared.files:
                path.unlink(missing_ok=True)
        if dispatch and self.dispatch is not None:
            await self.dispatch()
        return outcome

    async def _prepare(self, env: Envelope, cmd: Command, now: datetime) -> Any:
        """The long read of `/dashboard` or `/export`, for a facilitator allowed to see it."""

        def who_asks(conn: Conn) -> tuple[list[str], str]:
            who = identity(env.channel, env.address)
            return self._allowed(conn, who), self._language(conn, env, who)

        allowed, lang = await self.db.read(who_asks)
        code = self._dialogue_of(cmd, allowed)
        if not allowed or code not in allowed:
            return None
        reading = reports.Reading(
            self.db, self.tr, self.flows, self.dialogues[code], now, lang, self.files_dir, cmd.body
        )
        return await PREPARE[cmd.name](reading)

    def _dialogue_of(self, cmd: Command, allowed: list[str]) -> str:
        if "dialogue" in cmd.options:
            return cmd.options["dialogue"]
        if self.default_dialogue in allowed or not allowed:
            return self.default_dialogue
        return allowed[0]

    def _language(self, conn: Conn, env: Envelope, who: str) -> str:
        return language.of(conn, who, env.inbound.lang_hint, self.default_language, self.tr)

    def _job(
        self,
        conn: Conn,
        env: Envelope,
        cmd: Command,
        now: datetime,
        prepared: Any,
    ) -> tuple[Outcome, bool]:
        """The whole command, in the writer's transaction: claim, authorise, act, reply."""
        stamp = now.isoformat()
        if env.external_id is not None and not inbound.claim(
            conn, env.channel, env.external_id, stamp
        ):
            return Outcome(duplicate=True), False
        who = identity(env.channel, env.address)
        allowed = self._allowed(conn, who)
        if not allowed:
            log.warning("refused facilitator command /%s from %s", cmd.name, mask_address(who))
            found = participants.find(conn, env.channel, env.address)
            lang = found.language if found is not None else self._hint_language(env)
            refused = [Message(self.tr(lang, "fac-refused"))]
            return self._reply(conn, env, refused, stamp, found.id if found else None), False
        lang = self._language(conn, env, who)
        code = self._dialogue_of(cmd, allowed)
        call = Call(
            conn,
            cmd,
            who,
            lang,
            env.channel,
            self.dialogues[code if code in allowed else allowed[0]],
            allowed,
            now,
            self.tr,
            self.dialogues,
            self.flows,
            env.inbound,
            self.sms_fallback,
            prepared,
            whatsapp_template=self.whatsapp_template,
        )
        try:
            check_options(cmd)
            if code not in allowed:
                raise UsageError("fac-unknown-dialogue", code=code)
            if cmd.name in PREPARE and prepared is None and cmd.name != "statements":
                raise UsageError("fac-try-again")
            messages = self.handlers.get(cmd.name, help.unknown)(call)
        except UsageError as err:
            messages = [self._refusal(call, err)]
        log.info("facilitator %s ran /%s on %s", mask_address(who), cmd.name, code)
        return self._reply(conn, env, messages, stamp), call.dispatch

    def _refusal(self, call: Call, err: UsageError) -> Message:
        """Why, then how: the reason and the command's example."""
        reason = call.t(err.msg_id, **err.args_)
        usage = f"fac-usage-{call.cmd.name}"
        if err.msg_id.startswith("fac-usage-") or not self.tr.has(call.lang, usage):
            return Message(reason)
        return Message(f"{reason}\n{call.t(usage)}")

    def _hint_language(self, env: Envelope) -> str:
        return self.tr.pick(None, env.inbound.lang_hint, self.default_language)

    @staticmethod
    def _reply(
        conn: Conn,
        env: Envelope,
        messages: list[Message],
        stamp: str,
        pid: str | None = None,
    ) -> Outcome:
        """Queue the replies. A facilitator's belong to no participant (`pid` is set only
        for a participant refused a facilitator command)."""
        outbox.enqueue(conn, pid, env.channel, env.address, messages, stamp)
        return Outcome(False, pid, tuple(messages))

"""Preview, then send. `/prompt`, `/poll` and `/share` check their arguments, store a
draft and answer with its preview (`preview`); nothing reaches participants yet. `/send`
(or the preview's Send button) sends the facilitator's latest draft, once; `/cancel` (or
Cancel) drops it; after `TTL` it lapses. Drafts are rows, so a restart between the
preview and `/send` loses nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot import cells
from bot.engine.io import Message
from bot.engine.state import Item
from bot.facilitator import broadcast, deliberating, polls, preview
from bot.facilitator.call import Call, people
from bot.facilitator.parse import UsageError, poll_texts, prompt_texts, schedule
from storage import broadcasts, drafts, infos, prompts, statements
from storage.drafts import Draft

SHARE_STATEMENTS = frozenset({"statements", "affirmations", "afirmaciones"})
"""`/share statements` (in the facilitator's words): the common ground, told to all."""
TTL = timedelta(minutes=10)
LATE = timedelta(minutes=1)
"""A draft whose closing time is this close (or past) when sent is refused."""


# --- making a draft -------------------------------------------------------------------------


def prompt(call: Call) -> list[Message]:
    return _broadcast(call, "prompt")


def poll(call: Call) -> list[Message]:
    return _broadcast(call, "poll")


def _broadcast(call: Call, kind: str) -> list[Message]:
    d, cmd = call.dialogue, call.cmd
    group = cmd.options.get("to")
    if group is not None and group not in call.groups():
        raise UsageError("fac-unknown-group", group=group, groups=_groups(call))
    if kind == "prompt":
        texts = prompt_texts(cmd.body, d.spoken(call.tr.languages))
    else:
        texts = poll_texts(cmd.body, d.spoken(call.tr.languages))
    opens, closes = schedule(cmd.options, call.now)
    body = {
        "texts": texts,
        "target": group,
        "opens_at": opens.isoformat() if opens else None,
        "closes_at": closes.isoformat() if closes else None,
        "urgent": "urgent" in cmd.options,
    }
    return [_draft(call, kind, body)]


def _groups(call: Call) -> str:
    return ", ".join(f"{g} ({call.group_label(g)})" for g in call.groups())


def round_(call: Call) -> list[Message]:
    """`/round [--to GROUP] [--count 5]`: statements people have not voted on yet."""
    group = call.cmd.options.get("to")
    if group is not None and group not in call.groups():
        raise UsageError("fac-unknown-group", group=group, groups=_groups(call))
    count = deliberating.round_count(call)
    if not statements.listing(call.conn, call.dialogue.code, "approved"):
        raise UsageError("fac-round-empty")
    body = {"count": count, "target": group, "urgent": "urgent" in call.cmd.options}
    return [_draft(call, "round", body)]


def share(call: Call) -> list[Message]:
    if call.cmd.body.strip().lower() in SHARE_STATEMENTS:
        return [_draft(call, "statements", {})]
    row = polls.find(call)
    if row.sent_at is None:
        raise UsageError(
            "fac-share-not-open", id=row.id, time=call.at(datetime.fromisoformat(row.opens_at))
        )
    return [_draft(call, "share", {"poll": row.id})]


def _draft(call: Call, kind: str, body: dict[str, Any]) -> Message:
    expires = call.now + TTL
    draft_id, replaced = drafts.create(
        call.conn, call.who, call.dialogue.code, kind, body, call.stamp, expires.isoformat()
    )
    return preview.message(call, draft_id, kind, body, replaced, expires)


# --- deciding -------------------------------------------------------------------------------


def send(call: Call) -> list[Message]:
    return decide(call, yes=True)


def cancel(call: Call) -> list[Message]:
    return decide(call, yes=False)


def button(call: Call) -> list[Message]:
    """A tap on a preview's Send (0) or Cancel (1) button: `seq` is the draft's id."""
    inbound = call.inbound
    if inbound.item is not None or len(inbound.picks) != 1:
        raise UsageError("fac-not-participant")
    return decide(call, yes=inbound.picks[0] == 0, draft_id=inbound.seq)


def decide(call: Call, *, yes: bool, draft_id: int | None = None) -> list[Message]:
    draft = drafts.latest(call.conn, call.who)
    if draft is None or (draft_id is not None and draft.id != draft_id):
        return [Message(call.t("fac-draft-old" if draft_id is not None else "fac-no-draft"))]
    if draft.status == "sent":
        return [Message(call.t("fac-draft-was-sent", kind=draft.kind, id=draft.result or 0))]
    if draft.status != drafts.PENDING:
        return [Message(call.t("fac-no-draft"))]
    if draft.expired(call.stamp):
        return [Message(call.t("fac-draft-expired", minutes=int(TTL.total_seconds() // 60)))]
    if draft.dialogue not in call.allowed or draft.dialogue not in call.dialogues:
        drafts.decide(call.conn, draft.id, "cancelled", call.stamp)
        return [Message(call.t("fac-unknown-dialogue", code=draft.dialogue))]
    if not yes:
        drafts.decide(call.conn, draft.id, "cancelled", call.stamp)
        return [Message(call.t("fac-draft-cancelled"))]
    on = call.on(call.dialogues[draft.dialogue])
    if draft.kind == "share":
        message = _share(on, draft)
    elif draft.kind == "round":
        message = _round(on, draft)
    elif draft.kind == "statements":
        message = _share_statements(on, draft)
    else:
        message = _send(on, draft)
    call.dispatch = on.dispatch
    return [message]


def _send(call: Call, draft: Draft) -> Message:
    body = draft.body
    closes = body.get("closes_at")
    if closes and datetime.fromisoformat(closes) - call.now < LATE:
        drafts.decide(call.conn, draft.id, "cancelled", call.stamp)
        return Message(call.t("fac-draft-too-late"))
    opens = body.get("opens_at")
    if opens and datetime.fromisoformat(opens) <= call.now:
        opens = None  # its time came while it waited for /send: it goes now
    pid = prompts.create(
        call.conn,
        draft.dialogue,
        draft.kind,
        body["texts"],
        body["target"],
        call.who,
        call.stamp,
        closes,
        opens,
    )
    drafts.decide(call.conn, draft.id, "sent", call.stamp, pid)
    if opens is not None:
        at = call.at(datetime.fromisoformat(opens))
        return Message(call.t("fac-scheduled", kind=draft.kind, id=pid, time=at))
    prompts.mark_sent(call.conn, pid, 0, call.stamp)
    row = prompts.get(call.conn, pid)
    assert row is not None
    item = Item("poll" if draft.kind == "poll" else "prompt", pid)
    count = broadcast.start(call.conn, item, row, call.stamp, bool(body["urgent"]))
    call.dispatch = True
    return Message(call.t(f"fac-{draft.kind}-sent", id=pid, **_reach(count)))


def _share(call: Call, draft: Draft) -> Message:
    row = prompts.get(call.conn, int(draft.body["poll"]))
    if row is None:
        drafts.decide(call.conn, draft.id, "cancelled", call.stamp)
        return Message(call.t("fac-no-draft"))
    prompts.mark_shared(call.conn, row.id, call.stamp)
    count = broadcast.start(call.conn, Item("results", row.id), row, call.stamp, urgent=False)
    drafts.decide(call.conn, draft.id, "sent", call.stamp, row.id)
    call.dispatch = True
    return Message(call.t("fac-shared", id=row.id, **_reach(count)))


def _round(call: Call, draft: Draft) -> Message:
    body = draft.body
    key = f"round:{int(body['count'])}"
    broadcasts.create(
        call.conn, draft.dialogue, key, body["target"], bool(body["urgent"]), call.stamp
    )
    count = broadcasts.audience_size(call.conn, draft.dialogue, body["target"])
    drafts.decide(call.conn, draft.id, "sent", call.stamp, 0)
    call.dispatch = True
    return Message(call.t("fac-round-sent", per=int(body["count"]), **_reach(count)))


def _share_statements(call: Call, draft: Draft) -> Message:
    info = infos.create(
        call.conn, draft.dialogue, deliberating.share_texts(call), call.stamp
    )
    broadcasts.create(call.conn, draft.dialogue, Item("info", info).key, None, False, call.stamp)
    count = broadcasts.audience_size(call.conn, draft.dialogue, None)
    drafts.decide(call.conn, draft.id, "sent", call.stamp, info)
    call.dispatch = True
    return Message(call.t("fac-statements-shared", **_reach(count)))


def _reach(count: int) -> dict[str, str | int]:
    return people(cells.count(count))

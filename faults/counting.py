"""Counting afterwards: what the fakes saw and what the SQLite file holds, into the ledger."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from faults.ledger import Ledger
from faults.rig import FACILITATOR, Bot, Fakes, Sms


def stored_external_ids(bot: Bot) -> set[tuple[str, str]]:
    return {(c, e) for c, e in bot.query("SELECT channel, external_id FROM inbound")}


def participant_ids(bot: Bot) -> dict[tuple[str, str], str]:
    return {
        (c, a): p for c, a, p in bot.query("SELECT channel, address, participant_id FROM addresses")
    }


def answer_counts(bot: Bot) -> Counter[str]:
    counts: Counter[str] = Counter()
    for pid, n in bot.query("SELECT participant_id, count(*) FROM answers GROUP BY 1"):
        counts[pid] += n
    for pid, n in bot.query("SELECT participant_id, count(*) FROM responses GROUP BY 1"):
        counts[pid] += n
    return counts


def check_delivery(
    ledger: Ledger, scenario: str, bot: Bot, fakes: Fakes, label: str
) -> dict[str, Any]:
    """Every outbox row sent and seen at the fake; order per participant (replies among
    themselves, bulk among themselves: a reply may overtake a pending broadcast); at most
    twice."""
    # A bulk row taken back because the person wrote before it left is not lost: its
    # agenda item is shown again in the reply (status 'cancelled').
    rows = bot.query(
        "SELECT o.id, o.channel, o.status, o.provider_id, o.priority,"
        " CASE WHEN o.priority = 1 THEN 1 END, a.address FROM outbox o"
        " LEFT JOIN addresses a ON a.participant_id = o.participant_id"
        " AND a.channel = o.channel WHERE o.status != 'cancelled' ORDER BY o.id"
    )
    tg_ids = {f"{m['chat_id']}:{m['message_id']}" for m in fakes.bot_messages()}
    sms = fakes.sms_messages()
    sms_pos = {m["sid"]: i for i, m in enumerate(sms)}
    delivered = 0
    broadcast = broadcast_ok = 0
    per_address: dict[tuple[str, str, int], list[tuple[int, int]]] = {}
    for _id, channel, status, provider_id, priority, prompt_id, address in rows:
        seen = (
            status == "sent"
            and provider_id is not None
            and (provider_id in tg_ids if channel == "telegram" else provider_id in sms_pos)
        )
        delivered += seen
        if prompt_id is not None:
            broadcast += 1
            broadcast_ok += seen
        if seen and address is not None:
            pos = int(provider_id.split(":")[1]) if channel == "telegram" else sms_pos[provider_id]
            per_address.setdefault((channel, address, priority), []).append((_id, pos))
    ledger.add(scenario, f"{label}: outbox messages delivered", len(rows), delivered)
    if broadcast:
        ledger.add(scenario, f"{label}: broadcast rows delivered", broadcast, broadcast_ok)
    out_of_order = {
        (channel, address)
        for (channel, address, _), seq in per_address.items()
        if any(a[1] > b[1] for a, b in itertools.pairwise(seq))
    }
    people = {(channel, address) for channel, address, _ in per_address}
    ledger.add(
        scenario,
        f"{label}: delivered in order per participant",
        len(people),
        len(people - out_of_order),
        "replies in order, broadcasts in order",
    )
    texts: Counter[tuple[str, str]] = Counter()
    for c in fakes.tg_calls():
        if c["failed"] is None:
            texts[(str(c["params"].get("chat_id")), str(c["params"].get("text")))] += 1
    for m in sms:
        texts[(m["to"], m["body"])] += 1
    worst: dict[str, int] = {}
    for (who, _), n in texts.items():
        worst[who] = max(worst.get(who, 0), n)
    twice = sum(1 for n in texts.values() if n == 2)
    ledger.add(
        scenario,
        f"{label}: no participant got a message more than twice",
        len(worst),
        sum(1 for n in worst.values() if n <= 2),
        f"{twice} messages delivered twice",
    )
    return {"rows": len(rows), "delivered": delivered}


def count_turns(
    ledger: Ledger,
    name: str,
    bot: Bot,
    fakes: Fakes,
    sms: Sms,
    pushed: dict[int, tuple[int, str]],
    scripts: dict[tuple[str, str], list[str]],
    settled: bool,
) -> None:
    stored = stored_external_ids(bot)
    answered = [sid for sid, (_, _, status) in sms.sent.items() if status == 200]
    ledger.add(
        name,
        "SMS webhooks answered 200",
        len(sms.sent),
        len(answered),
        "retried while the bot was down",
    )
    ledger.add(
        name,
        "SMS webhooks answered 200: turn stored",
        len(answered),
        sum(1 for sid in answered if ("sms", sid) in stored),
    )
    handed = set(fakes.tg_state()["delivered_update_ids"])
    ledger.add(
        name,
        "Telegram updates: turn stored",
        len(pushed),
        sum(1 for u in pushed if ("telegram", str(u)) in stored),
        f"{len(set(pushed) & handed)} handed out by getUpdates; settled: {settled}",
    )
    # every stored message after the first (which joins) is one answer or one response
    ids = participant_ids(bot)
    counts = answer_counts(bot)
    by_key: dict[tuple[str, str], int] = Counter()
    for u, (user, _text) in pushed.items():
        if user != FACILITATOR and ("telegram", str(u)) in stored:
            by_key[("telegram", str(user))] += 1
    for sid in answered:
        if ("sms", sid) in stored:
            by_key[("sms", sms.sent[sid][0])] += 1
    tried = held = 0
    for key in scripts:
        expected = max(0, by_key.get(key, 0) - 1)
        got = counts.get(ids.get(key, ""), 0)
        tried += expected
        held += expected - abs(got - expected)
    ledger.add(name, "answers + responses stored exactly once", tried, held)

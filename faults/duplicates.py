"""Scenario 3: every inbound delivered 1 to 3 times (answers, votes, a facilitator's /poll)."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from faults.counting import participant_ids
from faults.ledger import Ledger
from faults.rig import FACILITATOR, Sms, rig, settle, sms_number, tg_user
from faults.sizes import Sizes


async def scenario_duplicates(workdir: Path, sizes: Sizes, ledger: Ledger, seed: int = 3) -> None:
    name = "duplicates"
    rng = random.Random(seed)
    with rig(workdir, sizes) as (fakes, bot):
        bot.start()
        await bot.ready()
        sms = Sms(bot, deadline=60)
        distinct: dict[tuple[str, str], int] = Counter()
        """Distinct inbound messages per participant (each delivered 1-3 times)."""

        async def sms_times(number: str, text: str) -> None:
            sid = sms.next_sid()
            times = rng.randint(1, 3)
            await asyncio.gather(*(sms.send(number, text, sid) for _ in range(times)))
            distinct[("sms", number)] += 1

        async def tg_times(user: int, item: dict[str, Any]) -> None:
            item = {"user_id": user, **item, "repeat": rng.randint(1, 3)}
            await asyncio.to_thread(fakes.push, [item])
            distinct[("telegram", str(user))] += 1

        async def participant(i: int) -> None:
            telegram = i % 2 == 0
            for text in ["/start" if telegram else "Hi", "yes", "2", "2"]:
                if telegram:
                    await tg_times(tg_user(i), {"text": text})
                else:
                    await sms_times(sms_number(i), text)
                await asyncio.sleep(0.3)

        n = sizes.dup_participants
        await asyncio.gather(*(participant(i) for i in range(n)))
        await settle(bot, fakes, 60)
        # a facilitator's poll, delivered twice, then everyone votes (1-3 times)
        await asyncio.to_thread(
            fakes.push,
            [
                {
                    "user_id": FACILITATOR,
                    "text": "/poll --urgent Which first? | Borehole | Road | Clinic",
                    "repeat": 2,
                },
                # its preview came back: /send, delivered twice too, sends it once
                {"user_id": FACILITATOR, "text": "/send", "repeat": 2},
            ],
        )
        await settle(bot, fakes, 60)
        polls = [p for (p,) in bot.query("SELECT id FROM prompts WHERE kind = 'poll' ORDER BY id")]
        ledger.add(
            name,
            "facilitator's /poll delivered twice: applied once",
            1,
            1 if len(polls) == 1 else 0,
            f"{len(polls)} polls created",
        )
        messages = await asyncio.to_thread(fakes.bot_messages)
        voters = 0
        for i in range(n):
            if i % 2 == 0:
                keyboards = [
                    m for m in messages
                    if m["chat_id"] == tg_user(i) and "p:" in json.dumps(m.get("reply_markup"))
                ]  # fmt: skip
                if not keyboards:
                    continue
                m = keyboards[0]
                buttons = [
                    b["callback_data"] for row in m["reply_markup"]["inline_keyboard"] for b in row
                ]
                data = next(b for b in buttons if b.startswith("p:") and b.endswith(":1"))
                await tg_times(tg_user(i), {"data": data, "message_id": m["message_id"]})
            else:
                await sms_times(sms_number(i), "2")
            voters += 1
        await settle(bot, fakes, 60)
        await sms.close()
        bot.stop()
        stored = bot.scalar("SELECT count(*) FROM inbound")
        expected_inbound = sum(distinct.values()) + 2  # and the /poll and its /send
        ledger.add(
            name,
            "inbound delivered 1-3 times: logged once",
            expected_inbound,
            min(stored, expected_inbound) - abs(stored - expected_inbound),
        )
        ids = participant_ids(bot)
        answers = dict(bot.query("SELECT participant_id, count(*) FROM answers GROUP BY 1"))
        tried = held = 0
        for i in range(n):
            key = ("telegram", str(tg_user(i))) if i % 2 == 0 else ("sms", sms_number(i))
            got = answers.get(ids.get(key, ""), 0)
            tried += 3  # consent and two answers
            held += 3 - abs(got - 3)
        ledger.add(name, "answers counted once", tried, held)
        votes = dict(bot.query("SELECT participant_id, count(*) FROM responses GROUP BY 1"))
        # what reached the phones (outbox rows keep no text once delivered)
        delivered = [(("telegram", str(m["chat_id"])), m["text"]) for m in await asyncio.to_thread(fakes.bot_messages)]
        delivered += [(("sms", m["to"]), m["body"]) for m in await asyncio.to_thread(fakes.sms_messages)]
        thanks = Counter(
            ids.get(key, "") for key, text in delivered if text.startswith("Thank you! Your vote")
        )  # fmt: skip
        ok = sum(1 for pid in votes if votes[pid] == 1 and thanks[pid] == 1)
        ledger.add(
            name,
            "votes counted once (one response, one thanks)",
            voters,
            ok,
            f"{sum(votes.values())} responses stored",
        )

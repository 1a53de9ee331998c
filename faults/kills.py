"""Scenario 1: kill -9 the bot at random moments while participants answer and a
facilitator's broadcast goes out; restart each time; then count."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from faults.counting import check_delivery, count_turns
from faults.ledger import Ledger
from faults.rig import FACILITATOR, Sms, rig, settle, sms_number, tg_user
from faults.sizes import Sizes


async def scenario_kills(workdir: Path, sizes: Sizes, ledger: Ledger, seed: int = 1) -> None:
    rng = random.Random(seed)
    name = "kill -9"
    with rig(workdir, sizes) as (fakes, bot):
        bot.start()
        await bot.ready()
        sms = Sms(bot, deadline=sizes.settle)
        pushed: dict[int, tuple[int, str]] = {}
        scripts: dict[tuple[str, str], list[str]] = {}
        first_kill = asyncio.Event()

        async def participant(i: int) -> None:
            prng = random.Random(seed * 1000 + i)
            await asyncio.sleep(prng.uniform(0, sizes.stagger))
            telegram = i % 2 == 0
            script = ["/start" if telegram else "Hi", "yes", "2", "2", "2"]
            key = ("telegram", str(tg_user(i))) if telegram else ("sms", sms_number(i))
            scripts[key] = script
            for text in script:
                if telegram:
                    [update] = await asyncio.to_thread(
                        fakes.push, [{"user_id": tg_user(i), "text": text}]
                    )
                    pushed[int(update["update_id"])] = (tg_user(i), text)
                else:
                    await sms.send(sms_number(i), text)
                await asyncio.sleep(prng.uniform(*sizes.think))

        async def facilitator() -> None:
            await first_kill.wait()
            await asyncio.sleep(0.5 * sizes.stagger)
            updates = await asyncio.to_thread(
                fakes.push,
                [
                    {"user_id": FACILITATOR, "text": "/prompt --urgent What should the council fix first?"},
                    {"user_id": FACILITATOR, "text": "/send"},  # after its preview
                ],
            )
            for update, text in zip(updates, ("/prompt", "/send"), strict=True):
                pushed[int(update["update_id"])] = (FACILITATOR, text)

        async def killer() -> None:
            for _ in range(sizes.kills):
                await asyncio.sleep(rng.uniform(*sizes.kill_gap))
                bot.kill()
                first_kill.set()
                bot.start()
                await bot.ready()

        await asyncio.gather(
            killer(), facilitator(), *(participant(i) for i in range(sizes.participants))
        )
        settled = await settle(bot, fakes, sizes.settle)
        await sms.close()
        bot.stop()
        count_turns(ledger, name, bot, fakes, sms, pushed, scripts, settled)
        check_delivery(ledger, name, bot, fakes, f"{bot.kills} kills")

"""Scenario 1: kill -9 the bot at random moments while participants answer and a
facilitator's broadcast goes out; restart each time; then count."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from faults.counting import check_delivery, count_turns
from faults.ledger import Ledger
from faults.rig import FACILITATOR, Crowd, Sms, rig, settle
from faults.sizes import Sizes


async def scenario_kills(workdir: Path, sizes: Sizes, ledger: Ledger, seed: int = 1) -> None:
    rng = random.Random(seed)
    name = "kill -9"
    with rig(workdir, sizes) as (fakes, bot):
        bot.start()
        await bot.ready()
        sms = Sms(bot, deadline=sizes.settle)
        first_kill = asyncio.Event()

        crowd = Crowd(fakes, sms, seed, sizes, sizes.stagger)
        pushed, scripts, participant = crowd.pushed, crowd.scripts, crowd.participant

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

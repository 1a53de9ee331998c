"""Scenario 2: 30% of sends answered 429, 5xx or never (a timeout) for a while."""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

from faults.counting import check_delivery
from faults.ledger import Ledger
from faults.rig import FACILITATOR, Sms, rig, settle, sms_number, tg_user
from faults.sizes import Sizes


async def scenario_provider_faults(
    workdir: Path, sizes: Sizes, ledger: Ledger, seed: int = 2
) -> None:
    name = "provider faults"
    with rig(workdir, sizes) as (fakes, bot):
        bot.start()
        await bot.ready()
        sms = Sms(bot, deadline=60)
        fakes.fault_rate(0.3, seed)
        started = time.monotonic()

        async def participant(i: int) -> None:
            prng = random.Random(seed * 1000 + i)
            telegram = i % 2 == 0
            script = ["/start" if telegram else "Hi", "yes", "2", "2", "2", "2"]
            gap = sizes.fault_period / (len(script) + 1)
            await asyncio.sleep(prng.uniform(0, gap))
            for text in script:
                if telegram:
                    await asyncio.to_thread(fakes.push, [{"user_id": tg_user(i), "text": text}])
                else:
                    await sms.send(sms_number(i), text)
                await asyncio.sleep(prng.uniform(0.5 * gap, 1.5 * gap))

        async def facilitator() -> None:
            await asyncio.sleep(sizes.fault_period / 3)
            await asyncio.to_thread(
                fakes.push,
                [
                    {"user_id": FACILITATOR, "text": "/prompt --urgent Which road first?"},
                    {"user_id": FACILITATOR, "text": "/send"},  # after its preview
                ],
            )

        await asyncio.gather(
            facilitator(), *(participant(i) for i in range(sizes.fault_participants))
        )
        await asyncio.sleep(max(0.0, sizes.fault_period - (time.monotonic() - started)))
        fakes.fault_rate(0)
        period = time.monotonic() - started
        t0 = time.monotonic()
        settled = await settle(bot, fakes, sizes.fault_settle)
        drained = time.monotonic() - t0
        await sms.close()
        bot.stop()
        failed_tg = sum(1 for c in fakes.tg_calls() if c["failed"])
        failed_sms = sum(1 for a in fakes.sms_attempts() if a["fault"])
        label = f"30% faults for {period:.0f}s"
        ledger.add(
            name,
            f"{label}: SMS webhooks answered 200",
            len(sms.sent),
            sum(1 for _, _, s in sms.sent.values() if s == 200),
        )
        check_delivery(ledger, name, bot, fakes, label)
        ledger.checks[-1].note += (
            f"; {failed_tg} Telegram and {failed_sms} Twilio calls faulted;"
            f" drained {drained:.0f}s after the faults stopped (settled: {settled})"
        )

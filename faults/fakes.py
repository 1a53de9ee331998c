"""The fault suite's fakes: the fake Bot API and the fake Twilio API in one process of their
own (so the bot under test can be killed and restarted while they keep their records),
with a few more control endpoints than the standalone fakes offer.

    python -m faults.fakes                # prints {"telegram": PORT, "twilio": PORT}

Extra control endpoints (JSON):

* Telegram ``POST /_control/push``: ``[{"user_id", "text"} | {"user_id", "data",
  "message_id"}, ... each with optional "repeat": n]`` queues messages or button presses,
  each update ``repeat`` times with the same update_id (a redelivery); returns the updates.
* Telegram ``POST /_control/fault_rate`` ``{"rate", "kinds", "seed"}`` (rate 0 clears).
* Telegram ``GET /_control/state``: update ids handed out by getUpdates, pending count.
* Telegram ``GET /_control/bot_messages``: every message the bot sent, with its id.
* Twilio ``POST /_control/fault_rate`` as above.
"""

from __future__ import annotations

import asyncio
import copy
import json
import signal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.telegram_api import BOT_ID, FakeBotApi
from tests.fakes.twilio_api import FakeTwilioApi

HANG_SECONDS = 20.0
"""A "hang" fault holds the request this long: longer than the bot's client timeouts
(10 s for Telegram, 15 s for Twilio), so the bot sees a real timeout."""


async def _json(request: Request) -> Any:
    body = await request.body()
    return json.loads(body) if body.strip() else {}


class FaultsBotApi(FakeBotApi):
    hang_seconds = HANG_SECONDS

    def build_app(self) -> Starlette:
        base = super().build_app()
        extra = [
            Route("/_control/push", self._push, methods=["POST"]),
            Route("/_control/fault_rate", self._fault_rate, methods=["POST"]),
            Route("/_control/state", self._state, methods=["GET"]),
            Route("/_control/bot_messages", self._bot_messages, methods=["GET"]),
        ]
        return Starlette(routes=[*extra, *base.routes])

    async def _push(self, request: Request) -> Response:
        out = []
        for item in await _json(request):
            user_id = int(item["user_id"])
            if "data" in item:
                update = self.make_callback_update(
                    user_id, str(item["data"]), message_id=int(item["message_id"])
                )
            else:
                update = self.make_message_update(user_id, str(item["text"]))
            for _ in range(max(1, int(item.get("repeat", 1)))):
                self.push_update(copy.deepcopy(update))
            out.append(update)
        return JSONResponse(out)

    async def _fault_rate(self, request: Request) -> Response:
        d = await _json(request)
        rate = float(d.get("rate", 0))
        if rate:
            self.set_fault_rate(rate, d.get("kinds", ("429", "500", "hang")), int(d.get("seed", 0)))
        else:
            self.faults.clear()
        return JSONResponse({"ok": True})

    async def _state(self, request: Request) -> Response:
        return JSONResponse(
            {
                "delivered_update_ids": self.delivered_update_ids,
                "pending": len(self.pending_updates),
                "webhook": self.webhook.get("url", ""),
                "calls": len(self.calls),
            }
        )

    async def _bot_messages(self, request: Request) -> Response:
        found = [
            {
                "chat_id": m["chat"]["id"],
                "message_id": m["message_id"],
                "text": m.get("text", m.get("caption", "")),
                "reply_markup": m.get("reply_markup"),
            }
            for m in self._messages.values()
            if m.get("from", {}).get("id") == BOT_ID
        ]
        return JSONResponse(found)


class FaultsTwilioApi(FakeTwilioApi):
    hang_seconds = HANG_SECONDS

    def build_app(self) -> Starlette:
        base = super().build_app()
        extra = [Route("/_control/fault_rate", self._fault_rate, methods=["POST"])]
        return Starlette(routes=[*extra, *base.routes])

    async def _fault_rate(self, request: Request) -> Response:
        d = await _json(request)
        rate = float(d.get("rate", 0))
        if rate:
            self.set_fault_rate(rate, d.get("kinds", ("429", "500", "hang")), int(d.get("seed", 0)))
        else:
            self.faults.clear()
        return JSONResponse({"ok": True})


async def serve() -> None:
    telegram, twilio = FaultsBotApi(), FaultsTwilioApi()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await telegram.start()
    await twilio.start()
    print(json.dumps({"telegram": telegram.port, "twilio": twilio.port}), flush=True)
    try:
        await stop.wait()
    finally:
        await telegram.stop()
        await twilio.stop()


if __name__ == "__main__":
    asyncio.run(serve())

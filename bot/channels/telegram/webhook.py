"""`POST /telegram/webhook` (`TELEGRAM_MODE=webhook`): one update per request.

The 200 goes out only once the update's turn is committed; a failed turn answers 500, so
Telegram delivers the update again and the inbound log sorts it out. Requests without the
secret token Telegram was given (`X-Telegram-Bot-Api-Secret-Token`) are refused.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Bot, Update

from bot.web import MAX_BODY

log = logging.getLogger("bot.channels.telegram")

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_route(
    secret: str,
    bot: Bot,
    process: Callable[[Update], Awaitable[bool]],
    running: Callable[[], bool],
) -> Route:
    async def endpoint(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("telegram: webhook call with a wrong or missing secret token, refused")
            return PlainTextResponse("forbidden", status_code=403)
        if not running():
            return PlainTextResponse("not running", status_code=503)
        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > MAX_BODY:
            return PlainTextResponse("too large", status_code=413)
        body = await request.body()
        if len(body) > MAX_BODY:
            return PlainTextResponse("too large", status_code=413)
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            update = Update.de_json(data, bot)
        except (ValueError, TypeError, KeyError, RecursionError) as exc:  # deep nesting
            log.warning("telegram: malformed webhook body: %s", exc)
            return PlainTextResponse("malformed update", status_code=400)
        if not await process(update):  # (a malformed update is dropped: 200)
            return PlainTextResponse("failed", status_code=500)
        return Response(status_code=200)

    return Route(WEBHOOK_PATH, endpoint, methods=["POST"])

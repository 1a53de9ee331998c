"""The Starlette app `baraza run` serves: provider webhooks (`/sms/*`, `/telegram/webhook`),
`/healthz`, and the organisers' read-only pages under `/web/` (`bot.web.site`).

This module stays light: channels import `MAX_BODY` from it.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

MAX_BODY = 64 * 1024
"""Webhook bodies larger than this are refused (413) before they are parsed."""


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


def build_app(routes: Sequence[BaseRoute]) -> Starlette:
    return Starlette(routes=[Route("/healthz", healthz, methods=["GET"]), *routes])

"""The Starlette app `baraza run` serves: provider webhooks (`/sms/*`, `/telegram/webhook`),
`/healthz`, and the organisers' read-only pages under `/web/` (`bot.web.site`).

This module stays light: channels import `MAX_BODY` from it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_BODY = 64 * 1024
"""Webhook bodies larger than this are refused (413) before they are parsed."""


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


Endpoint = Callable[[Request], Awaitable[Response]]


class Direct(Route):
    """A route answered before Starlette's router and middlewares: a provider's webhook,
    the hot path under load (bench 2: the layers in between took about a tenth of the
    event loop's time per webhook). Exact path; its endpoint answers every request
    itself (it raises no HTTPException)."""

    def __init__(self, path: str, endpoint: Endpoint, method: str) -> None:
        super().__init__(path, endpoint, methods=[method])


class Shortcuts:
    """The app: `Direct` routes first, everything else through Starlette (whose router
    still holds the direct routes too, so a wrong method gets its usual 405)."""

    def __init__(self, app: Starlette, direct: dict[tuple[str, str], Endpoint]) -> None:
        self.app = app
        self.direct = direct

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            endpoint = self.direct.get((scope["method"], scope["path"]))
            if endpoint is not None:
                response = await endpoint(Request(scope, receive, send))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def build_app(routes: Sequence[BaseRoute]) -> ASGIApp:
    direct = {
        (method, route.path): route.endpoint
        for route in routes
        if isinstance(route, Direct)
        for method in route.methods or ()
    }
    app = Starlette(routes=[Route("/healthz", healthz, methods=["GET"]), *routes])
    return Shortcuts(app, direct) if direct else app

"""The organisers' pages under `/web/`: read-only, server-rendered, scoped to the dialogues
of the facilitator whose session cookie comes with the request.

    GET /web/                        the dialogue picker (straight to the overview if one)
    GET /web/login/<token>           a one-time link from `/web` in the chat
    GET /web/lang/<en|fr|es>?next=   switch the pages' language
    GET /web/logout                  end this session (`/web off` in the chat ends all)
    GET /web/d/<code>/?page=N        overview: who is at the table, channels, languages...
    GET /web/d/<code>/questions      the flows' questions and what people answered
    GET /web/d/<code>/polls          polls and their results
    GET /web/d/<code>/answers        open questions (text steps, prompts); one of them:
    GET /web/d/<code>/answers/<id>?page=N&q=WORDS   its answers, paged and searchable
    GET /web/d/<code>/downloads      downloads: `export.csv`, `flow-results.zip` (FLOIP)

A dialogue outside the session's scope answers 404, the same page as a dialogue that does
not exist. Statements join `SECTIONS` when they come.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.deliberation import report as deliberation_report
from bot.dialogues import Dialogue
from bot.facilitator import answers, dashboard, export
from bot.facilitator import questions as catalogue
from bot.facilitator.commands import Facilitation
from bot.flows import Flow
from bot.i18n import Translator, pick_language
from bot.web import downloads, views
from bot.web.headers import SecurityHeaders
from bot.web.login import COOKIE, SESSION_TTL, digest, new_token, stamp
from storage import web_sessions

HERE = Path(__file__).parent
LANG_COOKIE = "baraza_lang"
"""The language picked before signing in (after, the session row keeps it)."""
PREVIEWERS = re.compile(
    r"TelegramBot|Twitterbot|Slackbot|Discordbot|facebookexternalhit|Facebot|WhatsApp|"
    r"SkypeUriPreview|LinkedInBot|Googlebot|bingbot|Applebot|redditbot|Embedly|Iframely|"
    r"vkShare|Mattermost",
    re.IGNORECASE,
)
"""User agents of link-preview fetchers (Telegram, WhatsApp...): they see a page, and the
link stays unused for the facilitator."""


@dataclass(frozen=True)
class Section:
    """A page of a dialogue, in the navigation. `path` is under /web/d/<code>/."""

    key: str
    path: str
    title: str
    """Fluent id of the page's name."""


SECTIONS = (
    Section("overview", "", "web-nav-overview"),
    Section("questions", "questions", "web-nav-questions"),
    Section("polls", "polls", "web-nav-polls"),
    Section("statements", "statements", "web-nav-statements"),
    Section("answers", "answers", "web-nav-answers"),
    Section("downloads", "downloads", "web-nav-downloads"),
)
ANSWERS_PER_PAGE = 25
SEARCH_MAX = 80


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a facilitator's open session and the dialogues they may see."""

    who: str
    lang: str
    session_hash: str
    allowed: tuple[str, ...]


Handler = Callable[[Request, Viewer], Awaitable[Response]]


class Site:
    def __init__(
        self,
        facilitation: Facilitation,
        *,
        flows: Mapping[str, Flow] | None = None,
        secure: bool = False,
        default_language: str = "en",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.fac = facilitation
        self.flows: Mapping[str, Flow] = flows or {}
        self.secure = secure
        self.default_language = default_language
        self._clock = clock
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    # --- plumbing -------------------------------------------------------------------------

    @property
    def tr(self) -> Translator:
        return self.fac.tr

    @property
    def dialogues(self) -> Mapping[str, Dialogue]:
        return self.fac.dialogues

    def now(self) -> datetime:
        return (self._clock or self.fac.clock)()

    def routes(self) -> list[BaseRoute]:
        """One mount, `/web`, with its own security headers, beside the webhooks."""
        return [
            Mount(
                "/web",
                routes=[
                    Route("/", self._signed_in(self.home)),
                    Route("/login/{token}", self.login),
                    Route("/lang/{lang}", self.switch_language),
                    Route("/logout", self.logout),
                    Route("/d/{code}/", self._signed_in(self.overview)),
                    Route("/d/{code}/questions", self._signed_in(self.questions)),
                    Route("/d/{code}/polls", self._signed_in(self.polls)),
                    Route("/d/{code}/statements", self._signed_in(self.statements)),
                    Route("/d/{code}/answers", self._signed_in(self.open_questions)),
                    Route("/d/{code}/answers/{qid}", self._signed_in(self.answers)),
                    Route("/d/{code}/downloads", self._signed_in(self.downloads)),
                    Route("/d/{code}/export.csv", self._signed_in(self.export_csv)),
                    Route("/d/{code}/flow-results.zip", self._signed_in(self.export_floip)),
                    Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
                    Route("/{rest:path}", self.nowhere),
                ],
                middleware=[Middleware(SecurityHeaders)],
            )
        ]

    def render(
        self, request: Request, name: str, lang: str, status: int = 200, **values: Any
    ) -> HTMLResponse:
        def t(msg_id: str, **args: str | int) -> str:
            return self.tr(lang, msg_id, **args)

        context: dict[str, Any] = {
            "dialogue": None,
            "sections": (),
            "section": "",
            "signed_in": False,
            "several": False,
            **values,
            "t": t,
            "lang": lang,
            "here": request.url.path,
            "languages": [(code, self.tr.name_of(code)) for code in self.tr.languages],
        }
        page = self.env.get_template(name).render(context)
        return HTMLResponse(page, status_code=status)

    def _guest_language(self, request: Request) -> str:
        chosen = request.cookies.get(LANG_COOKIE)
        hint = request.headers.get("accept-language", "").split(",")[0].split(";")[0].strip()
        return pick_language(chosen, hint or None, self.default_language, self.fac.tr)

    def _message(
        self, request: Request, lang: str, status: int, title: str, text: str, **extra: Any
    ) -> HTMLResponse:
        return self.render(
            request, "message.html", lang, status, title_id=title, text_id=text, **extra
        )

    async def viewer(self, request: Request) -> Viewer | None:
        token = request.cookies.get(COOKIE)
        if not token or len(token) > 128:
            return None
        hashed = digest(token)
        found = await self.fac.db.read(
            partial(web_sessions.session, session_hash=hashed, now=stamp(self.now()))
        )
        if found is None:
            return None
        allowed = await self.fac.allowed_dialogues(found.facilitator)
        return Viewer(found.facilitator, found.language, hashed, tuple(allowed))

    def _signed_in(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            viewer = await self.viewer(request)
            if viewer is None or not viewer.allowed:
                lang = self._guest_language(request)
                return self._message(request, lang, 401, "web-signed-out-title", "web-signed-out")
            return await handler(request, viewer)

        return endpoint

    def _dialogue(self, request: Request, viewer: Viewer) -> Dialogue | None:
        code = request.path_params["code"]
        return self.dialogues[code] if code in viewer.allowed else None

    def _not_found(self, request: Request, viewer: Viewer) -> HTMLResponse:
        return self._message(
            request, viewer.lang, 404, "web-not-found-title", "web-not-found", signed_in=True
        )

    def _page(
        self,
        request: Request,
        viewer: Viewer,
        d: Dialogue,
        name: str,
        section: str,
        **values: Any,
    ) -> HTMLResponse:
        return self.render(
            request,
            name,
            viewer.lang,
            dialogue=d,
            title=d.title_in(viewer.lang),
            sections=SECTIONS,
            section=section,
            signed_in=True,
            several=len(viewer.allowed) > 1,
            **values,
        )

    # --- signing in and out ------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        lang = self._guest_language(request)
        agent = request.headers.get("user-agent", "")
        if request.method != "GET" or not agent or PREVIEWERS.search(agent):
            return self._message(request, lang, 200, "web-login-title", "web-login-preview")
        token = request.path_params["token"]
        session = new_token()
        now = self.now()
        found = (
            await self.fac.db.write(
                partial(
                    web_sessions.redeem,
                    link_hash=digest(token),
                    session_hash=digest(session),
                    now=stamp(now),
                    session_expires_at=stamp(now + SESSION_TTL),
                )
            )
            if len(token) <= 128
            else None
        )
        if found is None:
            return self._message(request, lang, 410, "web-login-failed-title", "web-login-failed")
        # A page that moves on by itself rather than a 303: after a link followed from
        # another site (Telegram Web, a mail app), a redirect still counts as cross-site and
        # the browser would hold back the SameSite=Strict cookie on the next page.
        response = self.render(request, "signed_in.html", found.language)
        response.set_cookie(
            COOKIE,
            session,
            max_age=int(SESSION_TTL.total_seconds()),
            path="/web",
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )
        return response

    async def logout(self, request: Request) -> Response:
        viewer = await self.viewer(request)
        lang = viewer.lang if viewer else self._guest_language(request)
        if viewer is not None:
            await self.fac.db.write(
                partial(web_sessions.end, session_hash=viewer.session_hash, now=stamp(self.now()))
            )
        response = self._message(request, lang, 200, "web-logout-title", "web-logout")
        response.delete_cookie(COOKIE, path="/web", secure=self.secure, httponly=True)
        return response

    async def switch_language(self, request: Request) -> Response:
        lang = request.path_params["lang"]
        target = request.query_params.get("next", "/web/")
        if not target.startswith("/web/") or "//" in target or "\\" in target:
            target = "/web/"
        response = RedirectResponse(target, status_code=303)
        if lang not in self.tr.languages:
            return response
        viewer = await self.viewer(request)
        if viewer is not None:
            await self.fac.db.write(
                partial(web_sessions.set_language, session_hash=viewer.session_hash, language=lang)
            )
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 86400,
            path="/web",
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )
        return response

    async def nowhere(self, request: Request) -> Response:
        """Any other path under /web/: the same 404 page, with this app's headers."""
        return self._message(
            request, self._guest_language(request), 404, "web-not-found-title", "web-not-found"
        )

    # --- pages ---------------------------------------------------------------------------

    async def home(self, request: Request, viewer: Viewer) -> Response:
        if len(viewer.allowed) == 1:
            return RedirectResponse(f"/web/d/{viewer.allowed[0]}/", status_code=303)
        choices = [(code, self.dialogues[code].title_in(viewer.lang)) for code in viewer.allowed]
        return self.render(request, "picker.html", viewer.lang, choices=choices, signed_in=True)

    async def _board(self, d: Dialogue, viewer: Viewer, **options: Any) -> dashboard.Dashboard:
        return await dashboard.build(
            self.fac.db, d, self.now(), viewer.lang, tr=self.tr, flows=self.flows, **options
        )

    async def overview(self, request: Request, viewer: Viewer) -> Response:
        d = self._dialogue(request, viewer)
        if d is None:
            return self._not_found(request, viewer)
        board = await self._board(d, viewer, page=_number(request, "page"), said=False)
        view = views.overview(board, self.tr, viewer.lang)
        return self._page(request, viewer, d, "overview.html", "overview", view=view)

    async def questions(self, request: Request, viewer: Viewer) -> Response:
        d = self._dialogue(request, viewer)
        if d is None:
            return self._not_found(request, viewer)
        summaries = await dashboard.what_people_said(self.fac.db, d, self.flows, self.tr)
        flows = views.said(summaries, self.tr, viewer.lang)
        return self._page(request, viewer, d, "questions.html", "questions", flows=flows)

    async def polls(self, request: Request, viewer: Viewer) -> Response:
        d = self._dialogue(request, viewer)
        if d is None:
            return self._not_found(request, viewer)
        names = catalogue.group_labels(d, self.flows, self.tr)
        found = await views.polls(self.fac.db, d, self.tr, viewer.lang, self.now(), names)
        return self._page(request, viewer, d, "polls.html", "polls", polls=found)

    async def statements(self, request: Request, viewer: Viewer) -> Response:
        d = self._dialogue(request, viewer)
        if d is None:
            return self._not_found(request, viewer)
        approved, result, pending = await self.fac.db.read(
            lambda conn: deliberation_report.read(conn, d.code)
        )
        report = deliberation_report.build(d.code, approved, result, pending, viewer.lang)
        names = catalogue.group_labels(d, self.flows, self.tr)
        page = views.statements_page(report, self.tr, viewer.lang, names)
        return self._page(request, viewer, d, "statements.html", "statements", page=page)

    async def _catalogue(self, d: Dialogue) -> list[catalogue.Question]:
        return await answers.open_questions(self.fac.db, d, self.flows, self.tr)

    async def open_questions(self, request: Request, viewer: Viewer) -> Response:
        d = self._dialogue(request, viewer)
        if d is None:
            return self._not_found(request, viewer)
        found = await views.open_questions(
            self.fac.db, d, await self._catalogue(d), self.tr, viewer.lang
        )
        return self._page(request, viewer, d, "open_questions.html", "answers", questions=found)

    async def answers(self, request: Request, viewer: Viewer) -> Response:
        d = self._dialogue(request, viewer)
        if d is None:
            return self._not_found(request, viewer)
        q = answers.find(await self._catalogue(d), request.path_params["qid"])
        if q is None:
            return self._not_found(request, viewer)
        search = " ".join(request.query_params.get("q", "").split())[:SEARCH_MAX]
        page = await views.answers_page(
            self.fac.db,
            d,
            q,
            self.tr,
            viewer.lang,
            _number(request, "page"),
            search,
            ANSWERS_PER_PAGE,
        )
        return self._page(
            request, viewer, d, "answers.html", "answers", view=page, per_page=ANSWERS_PER_PAGE
        )

    async def downloads(self, request: Request, viewer: Viewer) -> Response:
        d = self._dialogue(request, viewer)
        if d is None:
            return self._not_found(request, viewer)
        return self._page(
            request, viewer, d, "downloads.html", "downloads", formats=downloads.FORMATS
        )

    async def export_csv(self, request: Request, viewer: Viewer) -> Response:
        d = self._dialogue(request, viewer)
        if d is None:
            return self._not_found(request, viewer)
        book = await export.codebook(self.fac.db, d, self.flows, self.tr)
        return downloads.csv_response(self.fac.db, d.code, self.now(), book, viewer.lang)

    async def export_floip(self, request: Request, viewer: Viewer) -> Response:
        d = self._dialogue(request, viewer)
        if d is None:
            return self._not_found(request, viewer)
        book = await export.codebook(self.fac.db, d, self.flows, self.tr)
        return await downloads.floip_response(
            self.fac.db, d, book, viewer.lang, self.now(), self.fac.files_dir
        )


def _number(request: Request, name: str) -> int:
    """A page number from the query string (1 if missing or not a number)."""
    value = request.query_params.get(name, "1")
    return min(int(value), 10**6) if value.isdigit() and int(value) > 0 else 1

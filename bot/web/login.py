"""Login without passwords. `/web` in the chat answers with a one-time link (15 minutes,
used once); following it opens a session cookie for a working day. `/web off` ends every
session of that facilitator. Tokens are random; only their sha256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from storage import web_sessions

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.facilitator.commands import Facilitation

LINK_TTL = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=10)
"""A working day: the cookie and its database row both expire then."""
COOKIE = "baraza_web"
LOGIN_PATH = "/web/login/"


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """What the database keeps of a token: its sha256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def stamp(at: datetime) -> str:
    """One fixed ISO 8601 form, so that stored times compare as strings."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def base_url(settings: Settings) -> str:
    """Where the pages are reached: PUBLIC_BASE_URL, else http://HTTP_HOST:HTTP_PORT."""
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/")
    return f"http://{settings.http_host}:{settings.http_port}"


def secure_cookie(settings: Settings) -> bool:
    return settings.public_base_url.lower().startswith("https://")


async def command(fac: Facilitation, who: str, body: str, lang: str) -> str:
    """`/web` -> a login link; `/web off` -> every session of `who` ended. The reply text."""
    now = fac.clock()
    arg = body.strip().lower()
    if arg == "off":
        count = await fac.db.write(partial(web_sessions.end_all, facilitator=who, now=stamp(now)))
        return fac.tr(lang, "fac-web-off", count=count)
    if arg:
        return fac.tr(lang, "fac-web-usage")
    token = new_token()
    await fac.db.write(
        partial(
            web_sessions.add_link,
            token_hash=digest(token),
            facilitator=who,
            language=lang,
            now=stamp(now),
            expires_at=stamp(now + LINK_TTL),
        )
    )
    url = f"{fac.web_base}{LOGIN_PATH}{token}"
    return fac.tr(lang, "fac-web-link", url=url, minutes=int(LINK_TTL.total_seconds() // 60))

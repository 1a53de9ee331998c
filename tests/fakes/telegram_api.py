"""A local fake of the Telegram Bot API, for python-telegram-bot 22.8: the methods Baraza
calls (getMe, getUpdates, setWebhook, deleteWebhook, setMyCommands, sendMessage,
sendPhoto, sendDocument, editMessageReplyMarkup, answerCallbackQuery), and updates pushed
by the test (messages, button presses).

In tests (same event loop)::

    async with FakeBotApi() as api:
        bot = Bot("123:TEST", base_url=api.base_url)
        api.push_message(42, "/start")
        await api.wait_for("sendMessage", chat_id=42)
        assert api.sent_messages(42)[0]["text"] == ...

Standalone: ``python -m tests.fakes.telegram_api --port 8081`` serves until killed and
offers ``/_control/message``, ``/_control/calls`` and ``/_control/sent``.

PTB sends every parameter form-encoded (multipart when uploading), objects and lists as
JSON strings; recorded ``Call.params`` have those decoded (``reply_markup``, ``commands``,
``options``... are dicts/lists, ``chat_id``/``message_id`` ints, booleans bools) while text
fields stay strings. Uploaded files are recorded as :class:`UploadedFile`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import FakeServer, FaultPlan, run_standalone

__all__ = ["BOT_USER", "FAULT_KINDS", "Call", "FakeBotApi", "UploadedFile"]

BOT_ID = 999
BOT_USER: dict[str, Any] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Baraza",
    "username": "baraza_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}
FAULT_KINDS = frozenset({"429", "401", "403", "500", "400", "hang"})

# Parameters that are plain strings in the Bot API: never JSON-decode them
# ("123" as a message text must stay a string).
_STRING_PARAMS = frozenset(
    {"text", "caption", "callback_query_id", "url", "secret_token", "language_code",
     "document", "photo", "filename"}
)  # fmt: skip


@dataclass
class UploadedFile:
    """A file uploaded in a multipart request."""

    field: str
    filename: str | None
    content: bytes
    content_type: str | None
    file_id: str = ""

    def summary(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "filename": self.filename,
            "size": len(self.content),
            "content_type": self.content_type,
            "file_id": self.file_id,
        }


@dataclass
class Call:
    """One request to the fake. ``failed`` is the injected fault kind (or error) if any."""

    method: str
    params: dict[str, Any]
    at: float
    failed: str | None = None

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    def to_json(self) -> dict[str, Any]:
        params = {
            k: v.summary() if isinstance(v, UploadedFile) else v for k, v in self.params.items()
        }
        return {"method": self.method, "params": params, "at": self.at, "failed": self.failed}


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=code)


def _decode(key: str, value: Any) -> Any:
    if key in _STRING_PARAMS or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _same_chat(a: Any, b: Any) -> bool:
    return str(a) == str(b)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeBotApi(FakeServer):
    """Fake Telegram Bot API. Any token is accepted. See the module docstring."""

    name = "fake-telegram"

    def __init__(self, port: int = 0) -> None:
        self.calls: list[Call] = []
        self.delivered_update_ids: list[int] = []
        self.webhook: dict[str, Any] = {"url": ""}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.faults = FaultPlan()
        self.blocked_chats: set[str] = set()
        self._pending: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._confirmed_below = 0  # updates with update_id < this are gone for good
        self._message_ids: dict[str, int] = {}
        self._messages: dict[tuple[str, int], dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        super().__init__(port)

    # ---------------------------------------------------------------- addresses
    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)`` (our ``TELEGRAM_API_URL``)."""
        return f"{self.url}/bot"

    # ---------------------------------------------------------------- recorded calls
    def calls_to(self, method: str, chat_id: Any = None) -> list[Call]:
        """Every recorded call of ``method`` (failed ones included, see ``Call.failed``)."""
        m = method.lower()
        return [
            c
            for c in self.calls
            if c.method.lower() == m and (chat_id is None or _same_chat(c.chat_id, chat_id))
        ]

    def sent_messages(self, chat_id: Any = None) -> list[dict[str, Any]]:
        """Params of the successful sendMessage calls, in order."""
        return [c.params for c in self.calls_to("sendMessage", chat_id) if c.failed is None]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 30.0,
        chat_id: Any = None,
        *,
        include_failed: bool = False,
    ) -> list[Call]:
        """Wait until ``count`` successful calls (all, with ``include_failed``) are recorded.

        Returns the matching calls; raises AssertionError listing the calls on timeout.
        """

        def matching() -> list[Call]:
            return [c for c in self.calls_to(method, chat_id) if include_failed or not c.failed]

        if not await self._wait_until(lambda: len(matching()) >= count, timeout):
            raise AssertionError(
                f"expected >= {count} {method} call(s)"
                + (f" to chat {chat_id}" if chat_id is not None else "")
                + f" within {timeout}s, got {len(matching())}. Recorded calls:\n"
                + self.describe_calls()
            )
        return matching()

    def describe_calls(self, limit: int = 50) -> str:
        lines = []
        for c in self.calls[-limit:]:
            params = {k: v for k, v in c.params.items() if k not in ("reply_markup",)}
            flag = f" FAILED({c.failed})" if c.failed else ""
            lines.append(f"  {c.at:.3f} {c.method}{flag} {params}")
        return "\n".join(lines) or "  (none)"

    # ---------------------------------------------------------------- faults
    def fail_next(
        self,
        method: str,
        kind: str,
        times: int = 1,
        retry_after: int = 1,
        chat_id: Any = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id``) with a fault.

        kind: "429" (RetryAfter), "401" (token refused), "403" (blocked), "500", "400",
        "hang" (no answer until :attr:`hang_seconds` pass or the fake stops).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(FAULT_KINDS)}")
        m = method.lower()

        def match(info: dict[str, Any]) -> bool:
            return info["method"] == m and (
                chat_id is None or _same_chat(info["params"].get("chat_id"), chat_id)
            )

        self.faults.add(kind, times, match, retry_after=retry_after)

    def set_fault_rate(
        self,
        rate: float,
        kinds: Iterable[str] = ("429", "500", "hang"),
        seed: int = 0,
        retry_after: int = 1,
    ) -> None:
        """Fail a random share ``rate`` of send* calls with one of ``kinds`` (seeded)."""
        kinds = tuple(kinds)
        if unknown := set(kinds) - FAULT_KINDS:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}")
        self.faults.set_rate(rate, kinds, seed, retry_after=retry_after)

    def clear_faults(self) -> None:
        self.faults.clear()
        self.blocked_chats.clear()

    def block_chat(self, chat_id: Any) -> None:
        """Every send* to this chat answers 403 "bot was blocked by the user"."""
        self.blocked_chats.add(str(chat_id))

    def unblock_chat(self, chat_id: Any) -> None:
        self.blocked_chats.discard(str(chat_id))

    # ---------------------------------------------------------------- updates
    def _assign_update_id(self, update: dict[str, Any]) -> dict[str, Any]:
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        return update

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates (assigning ``update_id`` if missing)."""
        self._assign_update_id(update)
        self._pending.append(update)
        self._notify()
        return int(update["update_id"])

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset."""
        return [u for u in self._pending if u["update_id"] >= self._confirmed_below]

    def user(
        self,
        user_id: int,
        *,
        language_code: str | None = "en",
        first_name: str = "Ada",
        username: str | None = None,
    ) -> dict[str, Any]:
        """A User object (remembered, so the chat gets the user's name)."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._users[str(user_id)] = user
        return user

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        if isinstance(chat_id, int) and chat_id < 0:
            chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
            return {"id": chat_id, "type": chat_type, "title": "Test group"}
        chat: dict[str, Any] = {"id": chat_id, "type": "private"}
        if user := self._users.get(str(chat_id)):
            chat["first_name"] = user["first_name"]
            if "username" in user:
                chat["username"] = user["username"]
        return chat

    def _next_message_id(self, chat_id: Any) -> int:
        key = str(chat_id)
        self._message_ids[key] = self._message_ids.get(key, 0) + 1
        return self._message_ids[key]

    def make_message_update(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str | None = "en",
        first_name: str = "Ada",
        username: str | None = None,
    ) -> dict[str, Any]:
        """Build (do not queue) a private-chat text Message update, update_id assigned."""
        user = self.user(
            user_id, language_code=language_code, first_name=first_name, username=username
        )
        message: dict[str, Any] = {
            "message_id": self._next_message_id(user_id),
            "from": user,
            "chat": self._chat(user_id),
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0] if text.split() else text
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        self._messages[(str(user_id), message["message_id"])] = message
        return self._assign_update_id({"message": message})

    def push_message(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str | None = "en",
        first_name: str = "Ada",
        username: str | None = None,
    ) -> dict[str, Any]:
        """Queue a text message from user ``user_id`` in their private chat; returns it."""
        update = self.make_message_update(
            user_id, text, language_code=language_code, first_name=first_name, username=username
        )
        self.push_update(update)
        return update

    def make_callback_update(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int,
        language_code: str | None = "en",
        first_name: str = "Ada",
        username: str | None = None,
    ) -> dict[str, Any]:
        """Build (do not queue) a callback_query update for a button on the bot's message
        ``message_id`` in the user's private chat (the message as sent, if known)."""
        user = self.user(
            user_id, language_code=language_code, first_name=first_name, username=username
        )
        message = self._messages.get((str(user_id), message_id))
        if message is None or message.get("from", {}).get("id") != BOT_ID:
            message = {
                "message_id": message_id,
                "from": BOT_USER,
                "chat": self._chat(user_id),
                "date": int(time.time()),
                "text": "",
            }
        query = {
            "id": str(4_000_000_000_000 + next(self._ids)),
            "from": user,
            "chat_instance": str(-(7_000_000_000 + user_id)),
            "data": data,
            "message": message,
        }
        return self._assign_update_id({"callback_query": query})

    def push_callback(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int,
        language_code: str | None = "en",
        first_name: str = "Ada",
        username: str | None = None,
    ) -> dict[str, Any]:
        """Queue a button press (callback_query with ``data``); returns the update."""
        update = self.make_callback_update(
            user_id,
            data,
            message_id=message_id,
            language_code=language_code,
            first_name=first_name,
            username=username,
        )
        self.push_update(update)
        return update

    def message(self, chat_id: Any, message_id: int) -> dict[str, Any] | None:
        """The current state of a stored message (after edits), if known."""
        return self._messages.get((str(chat_id), message_id))

    # ---------------------------------------------------------------- HTTP app
    def build_app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self._handle_api, methods=["GET", "POST"]),
                *(
                    Route(f"/_control/{name}", self._control(handler), methods=[verb])
                    for name, verb, handler in (
                        ("message", "POST", self._control_message),
                        ("calls", "GET", self._control_calls),
                        ("sent", "GET", self._control_sent),
                    )
                ),
            ]
        )

    async def _read_params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query_params)
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            body = await request.body()
            if body.strip():
                data = json.loads(body)
                if not isinstance(data, dict):
                    raise _ApiError(400, "Bad Request: JSON body must be an object")
                params.update(data)
        elif ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            files: dict[str, UploadedFile] = {}
            async with request.form(max_part_size=64 * 1024 * 1024) as form:
                for key, value in form.multi_items():
                    if isinstance(value, UploadFile):
                        files[key] = UploadedFile(
                            field=key,
                            filename=value.filename,
                            content=await value.read(),
                            content_type=value.content_type,
                        )
                    else:
                        params[key] = value
            for key, upload in files.items():
                # attach://name references, else the part's own field name
                refs = [k for k, v in params.items() if v == f"attach://{key}"]
                for ref in refs or [key]:
                    params[ref] = upload
        return {k: _decode(k, v) for k, v in params.items()}

    async def _handle_api(self, request: Request) -> Response:
        method = request.path_params["method"]
        at = time.monotonic()
        try:
            params = await self._read_params(request)
        except (ValueError, _ApiError) as exc:
            self.calls.append(Call(method, {}, at, failed="400"))
            self._notify()
            return _error(400, f"Bad Request: can't parse request: {exc}")
        call = Call(method, params, at)
        self.calls.append(call)
        m = method.lower()

        fault = self.faults.take({"method": m, "params": params}, rate_applies=m.startswith("send"))
        if (
            fault is None
            and m.startswith("send")
            and str(params.get("chat_id")) in (self.blocked_chats)
        ):
            fault = ("403", {})
        if fault is not None:
            kind, extra = fault
            call.failed = kind
            self._notify()
            return await self._fault_response(kind, extra)

        handler = getattr(self, f"_m_{m}", None)
        if handler is None:
            call.failed = "404"
            self._notify()
            return _error(404, "Not Found")
        try:
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
        except _ApiError as exc:
            call.failed = str(exc.code)
            self._notify()
            return _error(exc.code, exc.description, exc.parameters)
        self._notify()
        return _ok(result)

    async def _fault_response(self, kind: str, extra: dict[str, Any]) -> Response:
        if kind == "429":
            n = int(extra.get("retry_after", 1))
            return _error(429, f"Too Many Requests: retry after {n}", {"retry_after": n})
        if kind == "401":  # what Telegram answers to a revoked or mistyped token
            return _error(401, "Unauthorized")
        if kind == "403":
            return _error(403, "Forbidden: bot was blocked by the user")
        if kind == "400":
            return _error(400, "Bad Request: injected fault")
        if kind == "500":
            return _error(500, "Internal Server Error")
        # hang: never answer while the client waits; release at shutdown
        await self._hang()
        return _error(504, "Gateway Timeout")

    # ---------------------------------------------------------------- helpers for methods
    @staticmethod
    def _require(params: dict[str, Any], name: str) -> Any:
        value = params.get(name)
        if value is None or value == "":
            raise _ApiError(400, f'Bad Request: parameter "{name}" is required')
        return value

    def _chat_id(self, params: dict[str, Any]) -> int:
        chat_id = self._require(params, "chat_id")
        if isinstance(chat_id, int) and not isinstance(chat_id, bool):
            return chat_id
        raise _ApiError(400, "Bad Request: chat not found")

    def _bot_message(self, chat_id: int, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": BOT_USER,
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **content,
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(str(chat_id), message["message_id"])] = message
        return message

    def _store_file(self, value: Any, kind: str) -> tuple[str, UploadedFile | None]:
        """(file_id, upload) for an uploaded file (or a file_id string)."""
        file_id = f"{kind}{next(self._ids):08d}"
        if isinstance(value, UploadedFile):
            value.file_id = file_id
            return file_id, value
        return file_id, None

    def _find_message(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id = self._chat_id(params)
        message_id = self._require(params, "message_id")
        message = self._messages.get((str(chat_id), message_id))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != BOT_ID:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return chat_id, message

    # ---------------------------------------------------------------- Bot API methods
    def _m_getme(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        if self.webhook.get("url"):
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._confirmed_below = max(self._confirmed_below, offset)
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        limit = params.get("limit") or 100
        timeout = params.get("timeout") or 0
        if not self.pending_updates and timeout:
            self._notify()  # a test waiting for this poll to be held sees it now, not at its end
            await self._wait_until(lambda: bool(self.pending_updates), float(timeout))
        result = self.pending_updates[: int(limit)]
        self.delivered_update_ids.extend(u["update_id"] for u in result)
        return result

    def _m_setwebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {
            "url": self._require(params, "url"),
            "secret_token": params.get("secret_token"),
            "allowed_updates": params.get("allowed_updates"),
            "max_connections": params.get("max_connections", 40),
        }
        return True

    def _m_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {"url": ""}
        return True

    def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        return self._bot_message(chat_id, params, text=text)

    def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        _, message = self._find_message(params)
        markup = params.get("reply_markup")
        if message.get("reply_markup") == markup or (
            markup is None and "reply_markup" not in message
        ):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        self._set_markup(message, markup)
        message["edit_date"] = int(time.time())
        return message

    @staticmethod
    def _set_markup(message: dict[str, Any], markup: Any) -> None:
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)

    def _m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        self._require(params, "callback_query_id")
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

    def _m_setmycommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, 'Bad Request: parameter "commands" is required')
        self.commands[self._commands_key(params)] = commands
        return True

    def _m_sendphoto(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        file_id, upload = self._store_file(self._require(params, "photo"), "AgAC")
        size = len(upload.content) if upload else 1000
        photo = [
            {"file_id": f"{file_id}s", "file_unique_id": f"u{file_id}s", "width": 90,
             "height": 90, "file_size": max(1, size // 10)},
            {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 800,
             "height": 800, "file_size": size},
        ]  # fmt: skip
        content: dict[str, Any] = {"photo": photo}
        if params.get("caption"):
            content["caption"] = params["caption"]
        return self._bot_message(chat_id, params, **content)

    def _m_senddocument(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        file_id, upload = self._store_file(self._require(params, "document"), "BQAC")
        document: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"u{file_id}"}
        if upload is not None:
            document["file_size"] = len(upload.content)
            if upload.filename:
                document["file_name"] = upload.filename
            if upload.content_type:
                document["mime_type"] = upload.content_type
        content: dict[str, Any] = {"document": document}
        if params.get("caption"):
            content["caption"] = params["caption"]
        return self._bot_message(chat_id, params, **content)

    # ---------------------------------------------------------------- control API
    @staticmethod
    def _control(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)  # type: ignore[no-any-return]
            except (KeyError, ValueError, TypeError) as exc:
                return JSONResponse({"ok": False, "error": repr(exc)}, status_code=400)

        return endpoint

    async def _control_json(self, request: Request) -> dict[str, Any]:
        body = await request.body()
        data = json.loads(body) if body.strip() else {}
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return data

    async def _control_message(self, request: Request) -> Response:
        d = await self._control_json(request)
        update = self.push_message(
            int(d["user_id"]),
            str(d["text"]),
            language_code=d.get("language_code", "en"),
            first_name=d.get("first_name", "Ada"),
            username=d.get("username"),
        )
        return JSONResponse(update)

    async def _control_sent(self, request: Request) -> Response:
        return JSONResponse(self.sent_messages(request.query_params.get("chat_id")))

    async def _control_calls(self, request: Request) -> Response:
        method = request.query_params.get("method")
        calls = self.calls_to(method) if method else self.calls
        return JSONResponse([c.to_json() for c in calls])

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    args = parser.parse_args(argv)
    api = FakeBotApi()
    run_standalone(
        api,
        args.port,
        lambda: (
            f"Fake Telegram Bot API: base_url={api.base_url} control={api.url}/_control/"
        ),
    )


if __name__ == "__main__":
    main()

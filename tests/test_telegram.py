"""The Telegram channel end to end: real python-telegram-bot over loopback HTTP against the
fake Bot API, a real SQLite file, and the real Sender.

Each test asserts what the person sees in Telegram (texts, keyboards, edits) and what is
stored. Every update that failed is recorded; a test fails if any did.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.delivery import Sender
from bot.runtime import Content, open_runner
from bot.turns import TurnRunner
from tests.conftest import make_settings
from tests.fakes.telegram_api import BOT_ID, FakeBotApi
from tests.sql import lite

TOKEN = "123:ABC"
FAST = 0.05
"""Seconds between two messages to one chat in tests that do not test pacing (real: 1)."""


# --------------------------------------------------------------------------- harness


@dataclass
class Running:
    channel: TelegramChannel
    runner: TurnRunner
    sender: Sender
    errors: list[BaseException] = field(default_factory=list)


class _Errors(logging.Handler):
    """Every update that failed (the channel logs it with its exception)."""

    def __init__(self, errors: list[BaseException]) -> None:
        super().__init__(logging.ERROR)
        self.errors = errors

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        self.errors.append(error or RuntimeError(record.getMessage()))


@contextlib.asynccontextmanager
async def serving(
    settings: Settings,
    content: Content,
    *,
    chat_interval: float = FAST,
    start_flow: str | None = None,
    **kwargs: Any,
) -> AsyncIterator[Running]:
    """`baraza run` in miniature: runner, channel, its sender; all shut down cleanly, as
    `baraza run` does: the sender first (the sends in hand end and are recorded), then the
    channel, then the database. Fails the test if any update failed."""
    runner = await open_runner(settings, content, start_flow=start_flow)
    channel = TelegramChannel(settings, runner, chat_interval=chat_interval, **kwargs)
    sender = Sender(runner.db, channel.transport, channel.limits, doorbell=runner.doorbell)
    running = Running(channel, runner, sender)
    errors = _Errors(running.errors)
    logger = logging.getLogger("bot.channels.telegram")
    logger.addHandler(errors)
    try:
        await channel.start(sender)
        async with sender:
            yield running
    finally:
        await channel.stop()
        await runner.db.close()
        logger.removeHandler(errors)
    assert running.errors == []


def tg_settings(tmp_path: Path, api: FakeBotApi, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_url": api.base_url,
        "files_dir": tmp_path / "files",
    }
    return make_settings(tmp_path, **(values | overrides))


def query(settings: Settings, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Read the SQLite file as an organiser would (a separate connection)."""
    with contextlib.closing(lite(settings)) as conn:
        return list(conn.execute(sql, params).fetchall())


def keyboard(*rows: list[tuple[str, str]]) -> dict[str, Any]:
    """An inline keyboard as the Bot API receives it: rows of (text, callback_data)."""
    return {"inline_keyboard": [[{"text": t, "callback_data": d} for t, d in row] for row in rows]}


class User:
    """Someone in a private chat with the bot, through the fake's updates."""

    def __init__(self, api: FakeBotApi, user_id: int, language_code: str | None = "en") -> None:
        self.api = api
        self.id = user_id
        self.language_code = language_code

    def send(self, text: str) -> dict[str, Any]:
        return self.api.push_message(self.id, text, language_code=self.language_code)

    def bot_messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this chat as they are now (after edits), with their ids."""
        found, message_id = [], 1
        while (message := self.api.message(self.id, message_id)) is not None:
            if message.get("from", {}).get("id") == BOT_ID:
                found.append(message)
            message_id += 1
        return found

    def texts(self) -> list[str]:
        return [m["text"] for m in self.api.sent_messages(self.id)]

    async def expect(self, count: int, timeout: float = 30.0) -> list[str]:
        """Wait until the bot has sent `count` messages in all; returns every text."""
        await self.api.wait_for("sendMessage", count=count, chat_id=self.id, timeout=timeout)
        return self.texts()

    def tap(self, label: str, message: dict[str, Any] | None = None) -> dict[str, Any]:
        """Press the button `label` on `message` (default: the last message with buttons)."""
        if message is None:
            with_buttons = [m for m in self.bot_messages() if m.get("reply_markup")]
            assert with_buttons, "no message with buttons"
            message = with_buttons[-1]
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if button["text"] == label:
                    return self.press(button["callback_data"], message["message_id"])
        raise AssertionError(f"no button {label!r} in {message['reply_markup']}")

    def press(self, data: str, message_id: int) -> dict[str, Any]:
        return self.api.push_callback(
            self.id, data, message_id=message_id, language_code=self.language_code
        )


async def settle(seconds: float = 0.3) -> None:
    """Give the bot time to do something it should not do (then assert it did not)."""
    await asyncio.sleep(seconds)


def expected(content: Content, lang: str, *msg_ids: str) -> list[str]:
    title = content.dialogues["baraza"].title_in(lang)
    return [content.tr(lang, m, dialogue=title) for m in msg_ids]


ONBOARDING = [
    "onboarding-welcome",
    "onboarding-about",
    "onboarding-consent",
    "onboarding-language",
    "onboarding-group",
    "onboarding-age",
    "onboarding-gender",
    "onboarding-area",
    "onboarding-thanks",
    "explore-challenge",
]


# --------------------------------------------------------------------------- onboarding


@pytest.mark.parametrize(("hint", "lang"), [("fr-CA", "fr"), ("es", "es")])
async def test_onboarding_by_buttons_in_the_phones_language(
    tmp_path: Path, content: Content, hint: str, lang: str
) -> None:
    def t(msg_id: str) -> str:
        if msg_id.startswith("language-"):  # a language is named in its own words
            return content.tr.name_of(msg_id.removeprefix("language-"))
        return content.tr(lang, msg_id)

    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content):
            user = User(api, 42, language_code=hint)
            user.send("/start")
            await user.expect(3)
            user.tap(t("yes"))
            await user.expect(4)
            user.tap(t(f"language-{lang}"))
            await user.expect(5)
            user.tap(t("onboarding-group-community"))
            await user.expect(6)
            user.tap(t("onboarding-age-25-34"))
            await user.expect(7)
            user.tap(t("onboarding-gender-woman"))
            await user.expect(8)
            user.tap(t("onboarding-area-rural"))
            texts = await user.expect(10)
            await settle()

        # every message, in the person's language, in order, once
        assert user.texts() == texts == expected(content, lang, *ONBOARDING)
        sent = api.sent_messages(42)
        # keyboards: yes/no in one row, one option per row, the open question without any
        assert sent[2]["reply_markup"] == keyboard([(t("yes"), "a:1:0"), (t("no"), "a:1:1")])
        assert sent[3]["reply_markup"] == keyboard(
            [("English", "a:2:0")], [("Français", "a:2:1")], [("Español", "a:2:2")]
        )
        assert [row[0]["text"] for row in sent[4]["reply_markup"]["inline_keyboard"]] == [
            t(f"onboarding-group-{o}")
            for o in (
                "community", "civil-society", "government", "business", "research",
                "partner", "other", "prefer-not",
            )
        ]  # fmt: skip
        assert "reply_markup" not in sent[0] and "reply_markup" not in sent[9]
        # each answered keyboard now shows the choice made, and nothing to press
        shown = [m.get("reply_markup") for m in user.bot_messages()]
        assert shown[2:8] == [
            keyboard([(f"✅ {t(label)}", "x")])
            for label in (
                "yes", f"language-{lang}", "onboarding-group-community", "onboarding-age-25-34",
                "onboarding-gender-woman", "onboarding-area-rural",
            )
        ]  # fmt: skip
        assert len(api.calls_to("answerCallbackQuery")) == 6

        # the menu, in three languages
        default_scope = json.dumps({"type": "default"}, sort_keys=True)
        menus = {code: api.commands[(default_scope, code)] for code in ("", "fr", "es")}
        assert all(
            [c["command"] for c in m] == ["start", "help", "language", "stop", "mydata", "delete"]
            for m in menus.values()
        )
        assert menus["fr"][2]["description"] == "Changer de langue"
        assert menus["es"][2]["description"] == "Cambiar de idioma"
        assert api.calls_to("deleteWebhook")

    # stored: consent, language, profile, each answer once; the outbox drained
    ((pid, language, explicit, consented, profile),) = query(
        settings,
        "SELECT p.id, language, language_explicit, consented_at, profile FROM participants p"
        " JOIN addresses a ON a.participant_id = p.id WHERE a.channel = 'telegram'"
        " AND a.address = '42'",
    )
    assert (language, explicit) == (lang, 1) and consented is not None
    assert json.loads(profile) == {
        "group": "community",
        "age": "25-34",
        "gender": "woman",
        "area": "rural",
    }
    assert query(
        settings, "SELECT step_id, value, channel FROM answers WHERE participant_id = ?", pid
    ) == [
        ("consent", "yes", "telegram"),
        ("language", lang, "telegram"),
        ("group", "community", "telegram"),
        ("age", "25-34", "telegram"),
        ("gender", "woman", "telegram"),
        ("area", "rural", "telegram"),
    ]
    assert query(settings, "SELECT count(*) FROM inbound WHERE channel = 'telegram'") == [(7,)]
    assert query(settings, "SELECT status, count(*) FROM outbox GROUP BY status") == [("sent", 10)]


# --------------------------------------------------------------------------- typing, commands


async def test_typed_answers_and_menu_commands(tmp_path: Path, content: Content) -> None:
    def en(*ids: str) -> list[str]:
        return expected(content, "en", *ids)

    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content):
            user = User(api, 42, language_code=None)  # no hint: the default language
            user.send("/start")
            await user.expect(3)
            for n, typed in enumerate(["yes", "English", "2", "25 to 34", "woman", "3"], 4):
                user.send(typed)
                await user.expect(n)
            await user.expect(10)
            user.send("Water is far away")
            await user.expect(11)
            user.send("/help")
            user.send("/foo")  # unknown: treated as a request for help
            await user.expect(13)
            user.send("/language")
            await user.expect(14)
            user.tap("Français")
            await user.expect(15)
            user.send("/mydata")
            await user.expect(16)
            user.send("/stop")
            await user.expect(17)
            user.send("hello?")  # stopped: nothing is answered
            await settle()
            assert len(user.texts()) == 17
            user.send("/start")
            await user.expect(18)
            user.send("/delete")
            await user.expect(19)
            user.send("oui")
            texts = await user.expect(20)

    causes, help_ = en("explore-causes", "help")
    fr = expected(content, "fr", "explore-causes", "stopped", "welcome-back")
    assert texts[:11] == en(*ONBOARDING, "explore-causes")
    assert texts[11] == texts[12] == f"{help_}\n\n{causes}"
    assert texts[13] == content.tr("en", "choose-language")
    assert texts[14] == content.tr("fr", "language-set") + "\n\n" + fr[0]
    assert texts[15].startswith("Nous gardons") and texts[15].endswith(f"\n\n{fr[0]}")
    assert "langue Français" in texts[15] and "7 réponses" in texts[15]
    assert texts[16] == fr[1]
    assert texts[17] == f"{fr[2]}\n\n{fr[0]}"
    assert texts[18] == content.tr("fr", "delete-confirm")
    assert texts[19] == content.tr("fr", "deleted")
    # DELETE erased everything about them
    for table in ("participants", "addresses", "answers", "runs"):
        assert query(settings, f"SELECT count(*) FROM {table}") == [(0,)]


async def test_typed_answers_are_stored(tmp_path: Path, content: Content) -> None:
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content):
            user = User(api, 42, language_code="es")
            user.send("/start")
            await user.expect(3)
            for n, typed in enumerate(["sí", "3", "1", "2", "Mujer", "rural"], 4):
                user.send(typed)
                await user.expect(n)
            await user.expect(10)
            user.send("  No hay agua  ")
            await user.expect(11)
    assert query(settings, "SELECT step_id, value, raw FROM answers ORDER BY id") == [
        ("consent", "yes", "sí"),
        ("language", "es", "3"),
        ("group", "community", "1"),
        ("age", "18-24", "2"),
        ("gender", "woman", "Mujer"),
        ("area", "rural", "rural"),
        ("challenge", "No hay agua", "No hay agua"),
    ]


async def test_deep_links_and_command_arguments(tmp_path: Path, content: Content) -> None:
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content):
            user = User(api, 42, language_code="fr")
            user.send("/start nowhere")  # t.me/<bot>?start=nowhere
            await user.expect(1)
            user.send("/start baraza")
            await user.expect(4)
            user.send("/language es")
            texts = await user.expect(5)
            await settle()
    assert texts[0] == content.tr("fr", "unknown-dialogue", code="nowhere")
    assert texts[1:4] == expected(content, "fr", *ONBOARDING[:3])
    assert texts[4] == content.tr("es", "language-set") + "\n\n" + content.tr(
        "es", "onboarding-consent"
    )


async def test_group_chats_are_ignored(tmp_path: Path, content: Content) -> None:
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content):
            api.push_message(-100123, "/start")
            api.push_message(-5, "hello")
            user = User(api, 42)
            user.send("/start")
            await user.expect(3)
            await settle()
        assert {c.chat_id for c in api.calls_to("sendMessage")} == {42}
    assert query(settings, "SELECT address FROM addresses") == [("42",)]


# --------------------------------------------------------------------------- buttons


async def test_stale_and_garbled_buttons(tmp_path: Path, content: Content) -> None:
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content):
            user = User(api, 42)
            user.send("/start")
            await user.expect(3)
            consent = user.bot_messages()[2]
            user.tap("Yes")
            await user.expect(4)
            before = query(settings, "SELECT state, profile FROM participants")
            answers = query(settings, "SELECT count(*) FROM answers")

            # "No" on the consent question, from a keyboard drawn before the answer
            user.press("a:1:1", consent["message_id"])
            texts = await user.expect(5)
            assert texts[-1] == content.tr("en", "question-closed")
            await settle()
            assert "reply_markup" not in user.bot_messages()[2]  # nothing left to press
            # the marked choice, a garbled button, and one from a message never sent
            user.press("x", consent["message_id"])
            user.press("a:zz:1", consent["message_id"])
            user.press("a:1:0", 999)
            await api.wait_for("answerCallbackQuery", count=5)
            texts = await user.expect(6)
            await settle()

        assert texts[-1] == content.tr("en", "question-closed")  # from the message id 999
        assert len(user.texts()) == 6
        answered = api.calls_to("answerCallbackQuery")
        assert [c.params.get("text") for c in answered] == [
            None,  # Yes
            None,  # the stale "No": the engine's reply says it is closed
            content.tr("en", "question-closed"),  # x
            content.tr("en", "question-closed"),  # garbled
            None,  # unknown message: a turn, which says closed
        ]
    # nothing changed for the stale taps
    assert query(settings, "SELECT state, profile FROM participants") == before
    assert query(settings, "SELECT count(*) FROM answers") == answers


async def test_multi_choice_toggles_in_place(tmp_path: Path, content: Content) -> None:
    def t(msg_id: str) -> str:
        return content.tr("en", msg_id)

    labels = [t(f"vision-priorities-{o}") for o in ("water", "health", "jobs", "education")]
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content, start_flow="vision"):
            user = User(api, 42)
            user.send("/start")
            await user.expect(1)
            user.send("Clean water in every village")
            texts = await user.expect(2)
            question = user.bot_messages()[-1]
            mid = question["message_id"]
            assert texts[-1] == t("vision-priorities") + "\n" + content.tr(
                "en", "multi-hint", max=3
            )
            rows = question["reply_markup"]["inline_keyboard"]
            assert rows[0] == [{"text": labels[0], "callback_data": "m:2:0:0"}]
            assert rows[-1] == [{"text": "✔", "callback_data": "d:2:0"}]

            for n, label in enumerate((labels[0], labels[2], labels[1], f"✅ {labels[2]}"), 1):
                user.tap(label, user.api.message(42, mid))  # on the keyboard as redrawn
                await api.wait_for("editMessageReplyMarkup", count=n)
            shown = user.api.message(42, mid)
            assert shown is not None
            rows = shown["reply_markup"]["inline_keyboard"]
            assert [r[0]["text"] for r in rows[:4]] == [
                f"✅ {labels[0]}", f"✅ {labels[1]}", labels[2], labels[3]
            ]  # fmt: skip
            assert rows[-1] == [{"text": "✔ (2)", "callback_data": "d:2:3"}]
            assert len(user.texts()) == 2  # toggling sends nothing and runs no turn
            assert query(settings, "SELECT count(*) FROM inbound") == [(2,)]

            user.tap("✔ (2)", shown)
            texts = await user.expect(3)
            await settle()
        assert texts[-1] == t("vision-contribution")
        assert user.api.message(42, mid)["reply_markup"] == keyboard(  # type: ignore[index]
            [(f"✅ {labels[0]}", "x")], [(f"✅ {labels[1]}", "x")]
        )
        assert len(api.calls_to("answerCallbackQuery")) == 5
    assert query(settings, "SELECT json_extract(state, '$.run[3]') FROM participants") == [
        ("contribution",)
    ]


async def test_multi_choice_done_with_nothing_asks_again(tmp_path: Path, content: Content) -> None:
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content, start_flow="vision"):
            user = User(api, 42)
            user.send("/start")
            await user.expect(1)
            user.send("Peace")
            await user.expect(2)
            user.tap("✔")
            texts = await user.expect(3)
            await settle()
        assert texts[-1].startswith(content.tr("en", "reprompt-multi", max=3, count=8))
        # the re-prompt draws a fresh keyboard; the old one is taken away
        assert user.bot_messages()[-2].get("reply_markup") is None
        again = user.bot_messages()[-1]["reply_markup"]["inline_keyboard"]
        labels = [content.tr("en", f"vision-priorities-{o}") for o in ("water", "health")]
        assert [b[0]["text"] for b in again][:2] == labels and again[-1][0]["text"] == "✔"


async def test_poll_votes_can_change_until_closed(tmp_path: Path, content: Content) -> None:
    from bot.engine.io import Message, Option, Question
    from storage import outbox, prompts

    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content) as bot:
            user = User(api, 42)
            user.send("/start")
            await user.expect(3)
            user.tap("Yes")
            await user.expect(4)
            now = bot.runner.clock().isoformat()
            texts = {"en": {"question": "Water or roads first?", "options": ["Water", "Roads"]}}

            def send_poll(conn: Any) -> int:
                poll = prompts.create(conn, "baraza", "poll", texts, None, "t:1", now, None)
                prompts.mark_sent(conn, poll, 1, now)  # opened: votes count from now on
                options = (Option("0", "Water"), Option("1", "Roads"))
                message = Message(
                    "Water or roads first?", Question("choice", 2, options, poll=poll)
                )
                ((pid,),) = conn.execute("SELECT participant_id FROM addresses").fetchall()
                outbox.enqueue(conn, pid, "telegram", "42", [message], now)
                return poll

            poll = await bot.runner.db.write(send_poll)
            bot.runner.doorbell.ring()
            await user.expect(5)
            ballot = user.bot_messages()[-1]
            assert ballot["reply_markup"] == keyboard(
                [("Water", f"p:{poll}:0")], [("Roads", f"p:{poll}:1")]
            )
            user.tap("Roads", ballot)
            await user.expect(6)
            await settle()
            user.tap("Water", api.message(42, ballot["message_id"]))
            texts_ = await user.expect(7)
            await settle()
            assert api.message(42, ballot["message_id"])["reply_markup"] == keyboard(  # type: ignore[index]
                [("✅ Water", f"p:{poll}:0")], [("Roads", f"p:{poll}:1")]
            )
            await bot.runner.db.write(lambda conn: prompts.close(conn, poll, now))
            user.tap("Roads", api.message(42, ballot["message_id"]))
            texts_ = await user.expect(8)
            await settle()

        thanks = content.tr("en", "vote-thanks", choice="Water", id=poll)
        assert texts_[6].startswith(thanks)
        assert texts_[7].startswith(content.tr("en", "poll-closed"))
        assert "reply_markup" not in api.message(42, ballot["message_id"])  # type: ignore[operator]
    assert query(settings, "SELECT value FROM responses") == [("0",)]


async def test_statements_have_three_buttons_and_a_stance_can_change(
    tmp_path: Path, content: Content
) -> None:
    from storage import broadcasts, statements

    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api)
        async with serving(settings, content) as bot:
            user = User(api, 42)
            user.send("/start")
            await user.expect(3)
            user.tap("Yes")
            await user.expect(4)
            now = bot.runner.clock().isoformat()

            def open_round(conn: Any) -> int:
                texts = {"en": "Water points should be repaired first."}
                sid = statements.create(conn, "baraza", texts, "en", "facilitator", "approved", now)
                broadcasts.create(conn, "baraza", "round:1", None, True, now)
                return sid

            sid = await bot.runner.db.write(open_round)
            await bot.runner.dispatch()
            await user.expect(5)
            ballot = user.bot_messages()[-1]
            assert ballot["text"].startswith(f"Statement {sid}: Water points")
            assert ballot["reply_markup"] == keyboard(
                [("Agree", f"s:{sid}:0"), ("Disagree", f"s:{sid}:1"), ("Pass", f"s:{sid}:2")]
            )
            user.tap("Disagree", ballot)
            await user.expect(6)
            await settle()
            user.tap("Agree", api.message(42, ballot["message_id"]))
            texts_ = await user.expect(7)
            await settle()
            assert api.message(42, ballot["message_id"])["reply_markup"] == keyboard(  # type: ignore[index]
                [("✅ Agree", f"s:{sid}:0"), ("Disagree", f"s:{sid}:1"), ("Pass", f"s:{sid}:2")]
            )
    assert texts_[5].startswith("Thank you! You said: Disagree.")
    assert texts_[6].startswith("Thank you! You said: Agree.")
    assert query(settings, "SELECT statement_id, vote FROM statement_votes") == [(sid, 1)]


# --------------------------------------------------------------------------- facilitators


async def test_facilitator_commands_go_to_the_runners_facilitation(
    tmp_path: Path, content: Content
) -> None:
    async with FakeBotApi() as api:
        settings = tg_settings(tmp_path, api, facilitators="telegram:7")
        async with serving(settings, content) as bot:
            assert bot.runner.commands is not None
            stranger, facilitator = User(api, 8, "fr"), User(api, 7)
            stranger.send("/poll Water or roads? | Water | Roads")
            refusal = await stranger.expect(1)
            facilitator.send("/dashboard@baraza_test_bot")
            (photo,) = await api.wait_for("sendPhoto", chat_id=7)
            await settle()
    assert refusal == [content.tr("fr", "fac-refused")]
    assert photo.params["caption"].startswith("Dashboard")
    assert photo.params["photo"].content.startswith(b"\x89PNG")
    assert query(settings, "SELECT count(*) FROM participants") == [(0,)]


# --------------------------------------------------------------------------- rendering


def test_callback_data_is_compact_and_round_trips() -> None:
    from bot.channels.telegram import keyboards as kb
    from bot.engine.io import Message, Option, Question

    options = tuple(Option(str(i), f"Option {i}") for i in range(12))
    big = 10**9
    _, markup = kb.render(Message("Pick", Question("multi", big, options, max_choices=12)))
    assert markup is not None
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert all(isinstance(d, str) and len(d.encode()) <= 64 for d in data)
    assert kb.parse(f"m:{big}:{2**12 - 1}:11") == kb.Tap("toggle", big, 11, 4095)
    assert kb.parse("d:5:5") is not None and kb.parse("d:5:5").picks == (0, 2)  # type: ignore[union-attr]
    assert kb.parse("a:3:1") == kb.Tap("answer", 3, 1)
    assert kb.parse("p:9:0") == kb.Tap("vote", 9, 0)
    assert kb.parse("s:9:2") == kb.Tap("stance", 9, 2) and kb.parse("s:9:3") is None
    for garbled in (None, "", "a", "a:1", "a:-1:0", "a:1:b", "q:1:1", "m:1:1:99", "a:1:2:3"):
        assert kb.parse(garbled) is None
    text, markup = kb.render(
        Message("How urgent?", Question("scale", 4, options[:5], hint="(1=low)"))
    )
    assert text == "How urgent?\n(1=low)"
    assert markup is not None and len(markup.inline_keyboard) == 1
    assert kb.render(Message("Tell us", Question("text", 5))) == ("Tell us", None)

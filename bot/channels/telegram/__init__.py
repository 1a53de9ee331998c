"""The Telegram channel (python-telegram-bot 22): `updates` (an update -> what happened,
pure), `keyboards` (inline keyboards and their callback data), `menus`, `polling`,
`webhook`, `transport` (deliveries -> Bot API calls, and its errors), `channel` (the whole).
"""

import os

# The one place: python-telegram-bot's timedelta durations (RetryAfter.retry_after); without
# this every flood-limit answer also warns (PTBDeprecationWarning). Read when a RetryAfter
# is built, so setting it before the first one is enough.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.startup import TelegramConfigError
from bot.channels.telegram.transport import CHANNEL

__all__ = ["CHANNEL", "TelegramChannel", "TelegramConfigError"]

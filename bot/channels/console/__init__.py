"""The console channel: `chat` (the terminal session) and `transport` (printing)."""

from bot.channels.console.chat import Console
from bot.channels.console.transport import CHANNEL, ConsoleTransport

__all__ = ["CHANNEL", "Console", "ConsoleTransport"]

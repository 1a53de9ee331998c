"""The console channel: `chat` (the terminal session) and `transport` (printing)."""

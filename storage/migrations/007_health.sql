-- Providers (Telegram, Twilio) that cannot be reached right now, for the dashboard: a row
-- from the first failed call until the provider answers again.
CREATE TABLE provider_health (
    channel    TEXT PRIMARY KEY,
    down_since TEXT NOT NULL,
    error      TEXT NOT NULL,
    failures   INTEGER NOT NULL,
    updated_at TEXT NOT NULL
)

-- When each address may get its next message (Telegram: one a second per chat). Kept in
-- the database so that the pause holds for messages queued later and across a restart;
-- rows are dropped soon after they pass.
CREATE TABLE pacing (
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    until   REAL NOT NULL,
    PRIMARY KEY (channel, address)
) WITHOUT ROWID;

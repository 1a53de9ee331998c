-- The organisers' web pages: one-time login links sent by `/web`, and the sessions they
-- open. Only the sha256 of each token is kept, so a copy of the database opens nothing.
CREATE TABLE web_links (
    token_hash  TEXT PRIMARY KEY,
    facilitator TEXT NOT NULL,            -- telegram:<id>, tel:<E.164>, console:<name>
    language    TEXT NOT NULL,            -- the facilitator's chat language: the pages' first
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
) WITHOUT ROWID;
CREATE INDEX web_links_facilitator ON web_links(facilitator);

CREATE TABLE web_sessions (
    token_hash  TEXT PRIMARY KEY,
    facilitator TEXT NOT NULL,
    language    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    ended_at    TEXT
) WITHOUT ROWID;
CREATE INDEX web_sessions_facilitator ON web_sessions(facilitator, ended_at)

-- Participants under a random pseudonymous id. Addresses (phone numbers, Telegram ids)
-- live only in `addresses`, never next to answers.
CREATE TABLE participants (
    id                TEXT PRIMARY KEY,
    dialogue          TEXT NOT NULL,
    language          TEXT NOT NULL,
    language_explicit INTEGER NOT NULL DEFAULT 0,
    consented_at      TEXT,
    stopped_at        TEXT,
    unreachable_at    TEXT,
    profile           TEXT NOT NULL DEFAULT '{}',
    state             TEXT NOT NULL DEFAULT '{}',
    channel           TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    last_seen_at      TEXT NOT NULL
);

CREATE TABLE addresses (
    channel        TEXT NOT NULL,
    address        TEXT NOT NULL,
    participant_id TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (channel, address)
) WITHOUT ROWID;
CREATE INDEX addresses_participant ON addresses(participant_id);

-- Every flow version a run was ever started on, so a run finishes on its own version.
CREATE TABLE flow_versions (
    version    TEXT PRIMARY KEY,
    flow_id    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE runs (
    participant_id TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    run_no         INTEGER NOT NULL,
    flow_id        TEXT NOT NULL,
    version        TEXT NOT NULL,
    step_id        TEXT NOT NULL,
    status         TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (participant_id, run_no)
);
CREATE INDEX runs_flow ON runs(flow_id, status, step_id);

CREATE TABLE answers (
    id             INTEGER PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    run_no         INTEGER,
    flow_id        TEXT NOT NULL,
    version        TEXT,
    step_id        TEXT NOT NULL,
    value          TEXT NOT NULL,
    raw            TEXT NOT NULL,
    language       TEXT NOT NULL,
    channel        TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX answers_participant ON answers(participant_id);

-- One row per provider message id: a redelivered message is seen and not applied again.
CREATE TABLE inbound (
    channel     TEXT NOT NULL,
    external_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (channel, external_id)
) WITHOUT ROWID;

-- The only way out. Rows are written in the turn's transaction, then drained by senders.
CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY,
    participant_id TEXT REFERENCES participants(id) ON DELETE SET NULL,
    channel        TEXT NOT NULL,
    address        TEXT,
    payload        TEXT NOT NULL,
    priority       INTEGER NOT NULL DEFAULT 0,
    force          INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL DEFAULT 'queued',
    attempts       INTEGER NOT NULL DEFAULT 0,
    not_before     REAL NOT NULL DEFAULT 0,
    provider_id    TEXT,
    error          TEXT,
    delivery       TEXT,
    created_at     TEXT NOT NULL,
    sent_at        TEXT
);
CREATE INDEX outbox_queue ON outbox(channel, status, priority, id);
CREATE INDEX outbox_participant ON outbox(participant_id);
CREATE INDEX outbox_provider ON outbox(provider_id);
CREATE INDEX outbox_address ON outbox(channel, address, status, id);

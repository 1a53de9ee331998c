-- Facilitation: prompts and polls sent between sessions, their responses, facilitators
-- added from the command line, and scheduled work (reminders, polls opening and closing).
ALTER TABLE participants ADD COLUMN prompt INTEGER;
ALTER TABLE outbox ADD COLUMN dialogue TEXT;
ALTER TABLE outbox ADD COLUMN prompt_id INTEGER;
CREATE INDEX outbox_prompt ON outbox(prompt_id, status);
CREATE INDEX participants_dialogue ON participants(dialogue, consented_at);

CREATE TABLE prompts (
    id          INTEGER PRIMARY KEY,
    dialogue    TEXT NOT NULL,
    kind        TEXT NOT NULL,            -- prompt | poll
    texts       TEXT NOT NULL,            -- {"en": {"question": ..., "options": [...]}, ...}
    target      TEXT,                     -- a stakeholder group, or NULL for everyone
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    opens_at    TEXT NOT NULL,
    closes_at   TEXT,
    sent_at     TEXT,
    closed_at   TEXT,
    shared_at   TEXT,
    reached     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX prompts_dialogue ON prompts(dialogue, kind, id);

CREATE TABLE responses (
    prompt_id      INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    value          TEXT NOT NULL,
    raw            TEXT NOT NULL,
    language       TEXT NOT NULL,
    channel        TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (prompt_id, participant_id)
) WITHOUT ROWID;
CREATE INDEX responses_participant ON responses(participant_id);

CREATE TABLE facilitators (
    address   TEXT NOT NULL,              -- telegram:<id>, tel:<E.164>, console:<name>
    dialogue  TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    PRIMARY KEY (address, dialogue)
) WITHOUT ROWID;

CREATE TABLE jobs (
    id        INTEGER PRIMARY KEY,
    dialogue  TEXT NOT NULL,
    kind      TEXT NOT NULL,              -- reminder | open | close
    key       TEXT NOT NULL UNIQUE,       -- makes scheduling idempotent
    due_at    TEXT NOT NULL,
    payload   TEXT NOT NULL DEFAULT '{}',
    done_at   TEXT
);
CREATE INDEX jobs_due ON jobs(done_at, due_at);

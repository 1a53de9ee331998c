-- The agenda (one open question at a time), scope, and data kept no longer than needed.
-- Answers and responses carry the dialogue they were given in: a facilitator limited to
-- one dialogue sees only its data, whatever dialogue the person moved to later.
ALTER TABLE answers ADD COLUMN dialogue TEXT;
UPDATE answers SET dialogue = (SELECT dialogue FROM participants p WHERE p.id = answers.participant_id);
CREATE INDEX answers_dialogue ON answers(dialogue, id);
ALTER TABLE responses ADD COLUMN dialogue TEXT;
UPDATE responses SET dialogue = (SELECT dialogue FROM prompts q WHERE q.id = responses.prompt_id);

-- When to look at a participant's agenda again (something waits until they are at rest).
ALTER TABLE participants ADD COLUMN wake_at TEXT;
CREATE INDEX participants_wake ON participants(wake_at) WHERE wake_at IS NOT NULL;

-- Broadcasts reach people through their agendas, a batch of participants at a time; the
-- cursor (the last participant id done) lets a restart carry on where it stopped.
CREATE TABLE broadcasts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dialogue    TEXT NOT NULL,
    item        TEXT NOT NULL,            -- poll:3, prompt:4, results:3, notice:1
    target      TEXT,                     -- a stakeholder group, or NULL for everyone
    urgent      INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    cursor      TEXT NOT NULL DEFAULT '',
    reached     INTEGER NOT NULL DEFAULT 0,
    done_at     TEXT
);
CREATE INDEX broadcasts_open ON broadcasts(done_at, id);

-- Outbox ids are never reused (AUTOINCREMENT): a send finishing after DELETE erased its
-- row can never mark another message as sent. `item` names the agenda item a bulk
-- message shows, so an undelivered one can be taken back when the person writes first.
CREATE TABLE outbox_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
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
    sent_at        TEXT,
    dialogue       TEXT,
    prompt_id      INTEGER,
    item           TEXT
);
INSERT INTO outbox_new (id, participant_id, channel, address, payload, priority, force, status,
    attempts, not_before, provider_id, error, delivery, created_at, sent_at, dialogue, prompt_id)
    SELECT id, participant_id, channel, address, payload, priority, force, status, attempts,
    not_before, provider_id, error, delivery, created_at, sent_at, dialogue, prompt_id FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_queue ON outbox(channel, status, priority, id);
CREATE INDEX outbox_participant ON outbox(participant_id, status);
CREATE INDEX outbox_provider ON outbox(provider_id);
CREATE INDEX outbox_address ON outbox(channel, address, status, id);
CREATE INDEX outbox_prompt ON outbox(prompt_id, status);
CREATE INDEX outbox_done ON outbox(status, created_at);

-- The inbound log is pruned after the retention period.
CREATE INDEX inbound_received ON inbound(received_at)

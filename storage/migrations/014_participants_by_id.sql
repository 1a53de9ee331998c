-- baraza: foreign keys off
-- Participants kept in the order of their id (WITHOUT ROWID): a turn finds a person's row
-- in one B-tree where it took two (the id's own index, then the table by rowid). With
-- many participants each of those is a page no recent turn touched: at 100,000 (bench 1)
-- finding the row took 21.3 -> 17.8 us a turn and saving it 18.6 -> 16.4 us.
-- Rebuilt with foreign keys off (the runner's marker above): dropping the old table with
-- them on would delete every row that refers to it.
CREATE TABLE participants_new (
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
    last_seen_at      TEXT NOT NULL,
    prompt            INTEGER,
    wake_at           TEXT
) WITHOUT ROWID;
INSERT INTO participants_new (id, dialogue, language, language_explicit, consented_at,
    stopped_at, unreachable_at, profile, state, channel, created_at, last_seen_at, prompt,
    wake_at)
    SELECT id, dialogue, language, language_explicit, consented_at, stopped_at,
    unreachable_at, profile, state, channel, created_at, last_seen_at, prompt, wake_at
    FROM participants;
DROP TABLE participants;
ALTER TABLE participants_new RENAME TO participants;
CREATE INDEX participants_dialogue ON participants(dialogue, consented_at);
CREATE INDEX participants_wake ON participants(wake_at) WHERE wake_at IS NOT NULL

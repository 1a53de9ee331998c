-- Deliberation: short statements people agree or disagree with. Facilitators seed them;
-- participants propose them (moderated before anyone votes). One vote per person per
-- statement (1 agree, -1 disagree, 0 pass), changeable while the statement is open.
CREATE TABLE statements (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    dialogue     TEXT NOT NULL,
    texts        TEXT NOT NULL,            -- {"en": "...", "fr": "..."}
    origin       TEXT NOT NULL,            -- the language it was written in
    source       TEXT NOT NULL,            -- facilitator | participant
    author       TEXT REFERENCES participants(id) ON DELETE SET NULL,
    status       TEXT NOT NULL,            -- pending | approved | rejected
    created_at   TEXT NOT NULL,
    decided_at   TEXT
);
CREATE INDEX statements_dialogue ON statements(dialogue, status, id);

CREATE TABLE statement_votes (
    statement_id   INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    dialogue       TEXT NOT NULL,
    vote           INTEGER NOT NULL,       -- 1 agree, -1 disagree, 0 pass
    channel        TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (statement_id, participant_id)
);
CREATE INDEX statement_votes_participant ON statement_votes(participant_id);
CREATE INDEX statement_votes_dialogue ON statement_votes(dialogue, statement_id)
;

-- Information sent to a dialogue's participants once, in each language (what a
-- `/share statements` says): an agenda item tells it.
CREATE TABLE infos (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    dialogue   TEXT NOT NULL,
    texts      TEXT NOT NULL,              -- {"en": "...", "fr": "..."}
    created_at TEXT NOT NULL
)

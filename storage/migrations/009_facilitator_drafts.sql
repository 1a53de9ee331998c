-- Facilitators are not participants: what they need of their own is kept here.
-- Their language (set with /lang; until then the channel's hint is used).
CREATE TABLE facilitator_languages (
    address     TEXT PRIMARY KEY,         -- telegram:<id>, tel:<E.164>, console:<name>
    language    TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- A broadcast (/prompt, /poll, /share) is first a draft with a preview; it goes out on
-- /send (or a Yes button) while it is its facilitator's latest, within its time. Ids are
-- never reused (AUTOINCREMENT): a button on an old preview can never send a newer draft.
CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    facilitator TEXT NOT NULL,
    dialogue    TEXT NOT NULL,
    kind        TEXT NOT NULL,            -- prompt | poll | share
    body        TEXT NOT NULL,            -- JSON: texts, target, opens_at, closes_at, urgent, poll
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | cancelled | replaced
    decided_at  TEXT,
    result      INTEGER                   -- the prompt or poll it became (share: the poll)
);
CREATE INDEX drafts_facilitator ON drafts(facilitator, id);
CREATE INDEX drafts_created ON drafts(created_at)

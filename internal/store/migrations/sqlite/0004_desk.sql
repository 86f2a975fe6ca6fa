-- Citizen desk: conversations (one per citizen thread on a channel), their
-- messages (citizens', replies, internal notes), routing rules, canned
-- answers, moderation actions and the desk's settings. Times are UTC.

CREATE TABLE desk_conversations (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    -- where it came from: a channel account, or the web form / a mailbox
    account_id        TEXT REFERENCES channel_accounts(id) ON DELETE SET NULL,
    source            TEXT NOT NULL,
    channel_key       TEXT NOT NULL,
    thread            TEXT NOT NULL,
    visibility        TEXT NOT NULL,
    author_id         TEXT NOT NULL DEFAULT '',
    author_handle     TEXT NOT NULL DEFAULT '',
    author_name       TEXT NOT NULL DEFAULT '',
    author_contact    TEXT NOT NULL DEFAULT '',
    post_id           TEXT NOT NULL DEFAULT '',
    subject           TEXT NOT NULL DEFAULT '',
    -- new | assigned | waiting | answered | closed
    status            TEXT NOT NULL DEFAULT 'new',
    office_id         TEXT REFERENCES offices(id) ON DELETE SET NULL,
    assignee_id       TEXT REFERENCES people(id) ON DELETE SET NULL,
    category          TEXT NOT NULL DEFAULT '',
    urgency           TEXT NOT NULL DEFAULT '',
    moderation        TEXT NOT NULL DEFAULT '',
    confidence        TEXT NOT NULL DEFAULT '{}',
    triage_confirmed  BOOLEAN NOT NULL DEFAULT FALSE,
    -- near-duplicate group: the id of the group's first conversation
    group_id          TEXT NOT NULL DEFAULT '',
    -- the secret of the citizen's status link
    token             TEXT NOT NULL UNIQUE,
    message_count     INTEGER NOT NULL DEFAULT 0,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    last_in_at        TIMESTAMP NOT NULL,
    first_response_at TIMESTAMP,
    resolved_at       TIMESTAMP,
    due_at            TIMESTAMP,
    overdue_notified  BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX desk_conversations_thread ON desk_conversations (org_id, channel_key, thread);
-- The inbox pages by last message, newest first: every view walks one of
-- these in order and stops at the page's end (no sort of the whole
-- queue). The open queue, the one people work, has its own partial index;
-- its condition is written exactly as desk.List writes it.
CREATE INDEX desk_conversations_recent ON desk_conversations (org_id, last_in_at, id);
CREATE INDEX desk_conversations_open ON desk_conversations (org_id, last_in_at, id) WHERE status IN ('new', 'assigned', 'waiting');
CREATE INDEX desk_conversations_office ON desk_conversations (org_id, office_id, last_in_at, id);
-- the desk's figures over the last days
CREATE INDEX desk_conversations_created ON desk_conversations (org_id, created_at);
CREATE INDEX desk_conversations_assignee ON desk_conversations (org_id, assignee_id, status);
CREATE INDEX desk_conversations_updated ON desk_conversations (org_id, updated_at);
CREATE INDEX desk_conversations_group ON desk_conversations (org_id, group_id);
CREATE INDEX desk_conversations_due ON desk_conversations (due_at);

CREATE TABLE desk_messages (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    conversation_id  TEXT NOT NULL REFERENCES desk_conversations(id) ON DELETE CASCADE,
    channel_key      TEXT NOT NULL,
    -- the platform's id: with channel_key it deduplicates webhook retries
    remote_id        TEXT NOT NULL DEFAULT '',
    -- in (citizen) | out (reply) | note (internal) | auto (automatic reply)
    direction        TEXT NOT NULL,
    person_id        TEXT REFERENCES people(id) ON DELETE SET NULL,
    author_name      TEXT NOT NULL DEFAULT '',
    text             TEXT NOT NULL,
    attachments      TEXT NOT NULL DEFAULT '[]',
    -- replies: queued | sent | failed; citizens' messages: received
    state            TEXT NOT NULL DEFAULT 'received',
    private          BOOLEAN NOT NULL DEFAULT FALSE,
    error            TEXT NOT NULL DEFAULT '',
    remote_url       TEXT NOT NULL DEFAULT '',
    attempts         INTEGER NOT NULL DEFAULT 0,
    -- moderation: the content is hidden on the platform (archived here)
    hidden           BOOLEAN NOT NULL DEFAULT FALSE,
    raw              TEXT NOT NULL DEFAULT '{}',
    created_at       TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX desk_messages_remote ON desk_messages (org_id, channel_key, remote_id) WHERE remote_id <> '';
CREATE INDEX desk_messages_conversation ON desk_messages (conversation_id, created_at);
CREATE INDEX desk_messages_state ON desk_messages (state, created_at);

-- Files citizens sent through the web form (a photo of the pothole):
-- kept with their message, under the same retention, never public.
CREATE TABLE desk_files (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    message_id    TEXT NOT NULL REFERENCES desk_messages(id) ON DELETE CASCADE,
    name          TEXT NOT NULL DEFAULT '',
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    data          BLOB NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX desk_files_message ON desk_files (message_id);

CREATE TABLE desk_rules (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    -- any of these words (comma-separated), and the channel and category when set
    keywords    TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL DEFAULT '',
    office_id   TEXT NOT NULL REFERENCES offices(id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX desk_rules_org ON desk_rules (org_id, position);

CREATE TABLE desk_canned (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    office_id   TEXT REFERENCES offices(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    -- political: the answer suggested for political polemics (003)
    purpose     TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX desk_canned_org ON desk_canned (org_id, title);

CREATE TABLE desk_settings (
    org_id          TEXT PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    -- business hours, e.g. "lun-ven 08:30-13:00,14:00-17:30; sab 09:00-12:00"
    hours           TEXT NOT NULL DEFAULT '',
    -- the patron saint's day, MM-DD
    patron_day      TEXT NOT NULL DEFAULT '',
    -- first-response targets in business minutes per urgency
    sla_alta        INTEGER NOT NULL DEFAULT 60,
    sla_normale     INTEGER NOT NULL DEFAULT 480,
    sla_bassa       INTEGER NOT NULL DEFAULT 1440,
    -- per category, JSON {"intervento": 240, ...}: business minutes that
    -- replace the urgency's target for that category (never for "alta")
    sla_categories  TEXT NOT NULL DEFAULT '{}',
    -- private messages older than this are anonymised (0: kept)
    retention_days  INTEGER NOT NULL DEFAULT 365,
    dpo_contact     TEXT NOT NULL DEFAULT '',
    privacy_url     TEXT NOT NULL DEFAULT '',
    -- violations before a block
    block_after     INTEGER NOT NULL DEFAULT 3,
    -- the external social media policy: its rules as the organisation
    -- words them (JSON {"1": "...", ...}; missing ones keep the standard
    -- wording) and where it is published
    policy_rules    TEXT NOT NULL DEFAULT '{}',
    policy_url      TEXT NOT NULL DEFAULT '',
    updated_at      TIMESTAMP NOT NULL
);

-- Moderation: every action with the policy rule it applied; the content
-- hidden or deleted stays here for records requests.
CREATE TABLE desk_moderation (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    message_id     TEXT REFERENCES desk_messages(id) ON DELETE SET NULL,
    source         TEXT NOT NULL,
    author_id      TEXT NOT NULL,
    action         TEXT NOT NULL,
    rule           TEXT NOT NULL,
    archived_text  TEXT NOT NULL,
    person_id      TEXT REFERENCES people(id) ON DELETE SET NULL,
    outcome        TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX desk_moderation_author ON desk_moderation (org_id, source, author_id);

-- Polled channels (Mastodon, Bluesky, Telegram without a public URL) and
-- the mailbox: where the last poll of each stopped. The key is an account
-- id, or "imap:" and the organisation id.
CREATE TABLE desk_cursors (
    key         TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    cursor      TEXT NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMP NOT NULL
);

-- Publishing: channel accounts, the media library, the editorial plan
-- (campaigns, rubrics, posts, variants, comments), publications (post
-- variant × account, the truth of every delivery), cadence and suspension,
-- electoral periods. Times are UTC.

CREATE TABLE channel_accounts (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    office_id           TEXT REFERENCES offices(id) ON DELETE SET NULL,
    platform            TEXT NOT NULL,
    name                TEXT NOT NULL,
    handle              TEXT NOT NULL,
    base_url            TEXT NOT NULL DEFAULT '',
    sandbox             BOOLEAN NOT NULL DEFAULT FALSE,
    -- sealed with the installation key (AES-GCM), bound to the account id
    credentials         TEXT NOT NULL DEFAULT '',
    settings            TEXT NOT NULL DEFAULT '{}',
    -- active | attention (credentials stopped working: its publications wait) | disabled
    status              TEXT NOT NULL DEFAULT 'active',
    status_reason       TEXT NOT NULL DEFAULT '',
    token_expires_at    TIMESTAMP,
    checked_at          TIMESTAMP,
    -- cadence guard: 0 means no limit
    max_per_day         INTEGER NOT NULL DEFAULT 0,
    min_spacing_minutes INTEGER NOT NULL DEFAULT 0,
    quiet_start         TEXT NOT NULL DEFAULT '',
    quiet_end           TEXT NOT NULL DEFAULT '',
    -- the engine's own rate per account, below the platform's
    rate_per_minute     INTEGER NOT NULL DEFAULT 0,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX channel_accounts_org ON channel_accounts (org_id, platform);

CREATE TABLE media (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    filename      TEXT NOT NULL DEFAULT '',
    size          BIGINT NOT NULL,
    width         INTEGER NOT NULL DEFAULT 0,
    height        INTEGER NOT NULL DEFAULT 0,
    alt_text      TEXT NOT NULL DEFAULT '',
    captions      TEXT NOT NULL DEFAULT '',
    sha256        TEXT NOT NULL,
    data          BLOB NOT NULL,
    created_by    TEXT REFERENCES people(id) ON DELETE SET NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX media_org ON media (org_id, created_at);

CREATE TABLE campaigns (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    objective        TEXT NOT NULL DEFAULT '',
    audience         TEXT NOT NULL DEFAULT '',
    starts_on        TEXT NOT NULL,
    ends_on          TEXT NOT NULL,
    channels         TEXT NOT NULL DEFAULT '',
    kpis             TEXT NOT NULL DEFAULT '',
    ad_budget_cents  BIGINT,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX campaigns_org ON campaigns (org_id, starts_on);

CREATE TABLE rubrics (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    -- recurrence: ISO weekday 1-7 (0 = none) at a local time HH:MM
    weekday      INTEGER NOT NULL DEFAULT 0,
    time_of_day  TEXT NOT NULL DEFAULT '',
    channels     TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE posts (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    office_id           TEXT REFERENCES offices(id) ON DELETE SET NULL,
    campaign_id         TEXT REFERENCES campaigns(id) ON DELETE SET NULL,
    rubric_id           TEXT REFERENCES rubrics(id) ON DELETE SET NULL,
    title               TEXT NOT NULL,
    body                TEXT NOT NULL DEFAULT '',
    link_url            TEXT NOT NULL DEFAULT '',
    link_title          TEXT NOT NULL DEFAULT '',
    link_description    TEXT NOT NULL DEFAULT '',
    -- draft | review | approved | scheduled | published | failed | cancelled
    state               TEXT NOT NULL,
    scheduled_at        TIMESTAMP,
    author_id           TEXT REFERENCES people(id) ON DELETE SET NULL,
    approved_by         TEXT REFERENCES people(id) ON DELETE SET NULL,
    approved_at         TIMESTAMP,
    second_approved_by  TEXT REFERENCES people(id) ON DELETE SET NULL,
    second_approved_at  TIMESTAMP,
    -- Legge 28/2000 art. 9: why this communication is impersonal and indispensable
    election_reason     TEXT NOT NULL DEFAULT '',
    is_alert            BOOLEAN NOT NULL DEFAULT FALSE,
    correction_note     TEXT NOT NULL DEFAULT '',
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX posts_org_state ON posts (org_id, state);
CREATE INDEX posts_org_scheduled ON posts (org_id, scheduled_at);

CREATE TABLE post_media (
    post_id   TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    media_id  TEXT NOT NULL REFERENCES media(id) ON DELETE RESTRICT,
    position  INTEGER NOT NULL,
    PRIMARY KEY (post_id, position)
);

CREATE TABLE variants (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    post_id     TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    account_id  TEXT NOT NULL REFERENCES channel_accounts(id) ON DELETE CASCADE,
    language    TEXT NOT NULL DEFAULT 'it',
    text        TEXT NOT NULL DEFAULT '',
    -- ordered media ids of this variant (comma-separated), a subset of the post's
    media_ids   TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (post_id, account_id, language)
);
CREATE INDEX variants_account ON variants (account_id);

CREATE TABLE post_comments (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    post_id     TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    person_id   TEXT REFERENCES people(id) ON DELETE SET NULL,
    body        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX post_comments_post ON post_comments (post_id, created_at);

CREATE TABLE publications (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    post_id          TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    variant_id       TEXT NOT NULL UNIQUE REFERENCES variants(id) ON DELETE CASCADE,
    account_id       TEXT NOT NULL REFERENCES channel_accounts(id) ON DELETE CASCADE,
    -- scheduled | queued | publishing | retrying | waiting | published | failed | unknown | cancelled | deleted
    state            TEXT NOT NULL,
    due_at           TIMESTAMP NOT NULL,
    -- when the next attempt may start (a retry hint, a rate limit)
    next_attempt_at  TIMESTAMP NOT NULL,
    -- an attempt in flight holds the row until then; past it the attempt is presumed dead
    lease_until      TIMESTAMP,
    attempts         INTEGER NOT NULL DEFAULT 0,
    remote_id        TEXT NOT NULL DEFAULT '',
    remote_url       TEXT NOT NULL DEFAULT '',
    published_at     TIMESTAMP,
    last_error       TEXT NOT NULL DEFAULT '',
    error_kind       TEXT NOT NULL DEFAULT '',
    -- emergency alerts skip the cadence guard, quiet hours and the suspension switch
    exempt           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX publications_due ON publications (state, next_attempt_at);
CREATE INDEX publications_account ON publications (account_id, due_at);
CREATE INDEX publications_post ON publications (post_id);
CREATE INDEX publications_org_published ON publications (org_id, published_at);

CREATE TABLE publishing_settings (
    org_id            TEXT PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    suspended         BOOLEAN NOT NULL DEFAULT FALSE,
    suspended_reason  TEXT NOT NULL DEFAULT '',
    suspended_by      TEXT REFERENCES people(id) ON DELETE SET NULL,
    suspended_at      TIMESTAMP,
    updated_at        TIMESTAMP NOT NULL
);

-- Offices whose posts need a second approver.
CREATE TABLE office_second_approval (
    office_id  TEXT PRIMARY KEY REFERENCES offices(id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE
);

CREATE TABLE electoral_periods (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    starts_at   TIMESTAMP NOT NULL,
    ends_at     TIMESTAMP NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX electoral_periods_org ON electoral_periods (org_id, starts_at);

-- Officials (mayor, assessori) whose names the election guard flags.
CREATE TABLE officials (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);

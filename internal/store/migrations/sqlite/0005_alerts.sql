-- Emergency alerts: the organisation's named zones, incidents with their
-- public live page, the alerts sent for them (first alert, updates, the
-- all-clear), each alert's delivery per channel, the citizens subscribed
-- by Telegram bot or Web Push, each subscriber's delivery, and the CAP
-- feeds followed for import. Times are UTC.

CREATE TABLE alert_zones (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    -- a GeoJSON Polygon or MultiPolygon geometry, WGS 84
    geometry   TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX alert_zones_name ON alert_zones (org_id, name);

CREATE TABLE incidents (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    -- vento | acqua_alta | alluvione | neve | caldo | sanitaria | viabilita | altro
    type         TEXT NOT NULL,
    -- verde | gialla | arancione | rossa
    colour       TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    hashtag      TEXT NOT NULL DEFAULT '',
    instructions TEXT NOT NULL DEFAULT '',
    -- JSON: [{"label": "...", "number": "..."}] and [{"label": "...", "url": "..."}]
    numbers      TEXT NOT NULL DEFAULT '[]',
    links        TEXT NOT NULL DEFAULT '[]',
    -- JSON: the zones' ids, and an optional drawn area {"polygon": [[lat, lon], ...]} or {"circle": {...}}
    zone_ids     TEXT NOT NULL DEFAULT '[]',
    area         TEXT NOT NULL DEFAULT '{}',
    area_desc    TEXT NOT NULL DEFAULT '',
    -- draft | active | resolved
    status       TEXT NOT NULL,
    -- a drill: CAP status Exercise, sandbox channels only
    exercise     BOOLEAN NOT NULL DEFAULT FALSE,
    -- manual | cap (imported from a followed CAP feed)
    source       TEXT NOT NULL DEFAULT 'manual',
    source_ref   TEXT NOT NULL DEFAULT '',
    started_at   TIMESTAMP,
    resolved_at  TIMESTAMP,
    created_by   TEXT REFERENCES people(id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX incidents_org ON incidents (org_id, status, created_at);
CREATE UNIQUE INDEX incidents_source ON incidents (org_id, source_ref) WHERE source_ref <> '';

CREATE TABLE alerts (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    -- alert | update | cancel (the all-clear)
    kind        TEXT NOT NULL,
    colour      TEXT NOT NULL,
    headline    TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    instruction TEXT NOT NULL DEFAULT '',
    -- JSON: {"it": {"short": "...", "full": "...", "push": "..."}, "en": {...}}
    texts       TEXT NOT NULL DEFAULT '{}',
    exercise    BOOLEAN NOT NULL DEFAULT FALSE,
    created_by  TEXT REFERENCES people(id) ON DELETE SET NULL,
    sent_at     TIMESTAMP NOT NULL
);
CREATE INDEX alerts_org ON alerts (org_id, sent_at);
CREATE INDEX alerts_incident ON alerts (incident_id, sent_at);

CREATE TABLE alert_deliveries (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    alert_id    TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    -- account (a channel account) | telegram_bot | webpush
    target      TEXT NOT NULL,
    account_id  TEXT REFERENCES channel_accounts(id) ON DELETE SET NULL,
    platform    TEXT NOT NULL DEFAULT '',
    label       TEXT NOT NULL DEFAULT '',
    -- queued | sending | sent | retrying | failed | unknown
    state       TEXT NOT NULL,
    remote_id   TEXT NOT NULL DEFAULT '',
    remote_url  TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    -- subscriber fan-out progress
    total       INTEGER NOT NULL DEFAULT 0,
    done        INTEGER NOT NULL DEFAULT 0,
    next_at     TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX alert_deliveries_alert ON alert_deliveries (alert_id);
CREATE INDEX alert_deliveries_state ON alert_deliveries (state, next_at);

CREATE TABLE alert_subscribers (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    -- telegram | webpush
    kind       TEXT NOT NULL,
    -- the Telegram chat id, or the push endpoint
    address    TEXT NOT NULL,
    -- Web Push keys, JSON {"p256dh": "...", "auth": "..."}
    keys       TEXT NOT NULL DEFAULT '{}',
    lang       TEXT NOT NULL DEFAULT 'it',
    -- a priority segment: commercianti go first (003)
    segment    TEXT NOT NULL DEFAULT '',
    -- JSON lists of incident types and zone ids; empty means all
    topics     TEXT NOT NULL DEFAULT '[]',
    zones      TEXT NOT NULL DEFAULT '[]',
    exercise   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX alert_subscribers_address ON alert_subscribers (org_id, kind, address);

-- One row per subscriber and delivery, written before the send: a
-- broadcast resumed after a crash skips what was sent, and never re-sends
-- what may have been (state sending becomes unknown).
CREATE TABLE alert_sends (
    delivery_id   TEXT NOT NULL REFERENCES alert_deliveries(id) ON DELETE CASCADE,
    subscriber_id TEXT NOT NULL,
    -- sending | sent | failed | unknown | gone
    state         TEXT NOT NULL,
    error         TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (delivery_id, subscriber_id)
);

CREATE TABLE cap_sources (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    url             TEXT NOT NULL,
    label           TEXT NOT NULL DEFAULT '',
    last_checked_at TIMESTAMP,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX cap_sources_url ON cap_sources (org_id, url);

-- Keys that belong to the installation rather than to an organisation: the
-- VAPID key pair of Web Push ("vapid", the private key sealed with the
-- installation's secret key). Browsers bind each subscription to the public
-- key, so the row is written once and kept.
CREATE TABLE installation_keys (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

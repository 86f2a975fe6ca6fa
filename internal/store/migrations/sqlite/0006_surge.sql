-- Emergencies in the desk and the bot: a conversation about an incident in
-- progress is filed under it, and each citizen gets one automatic first
-- reply per incident with the live page and the emergency numbers.

ALTER TABLE desk_conversations ADD COLUMN incident_id TEXT NOT NULL DEFAULT '';
CREATE INDEX desk_conversations_incident ON desk_conversations (org_id, incident_id, last_in_at, id) WHERE incident_id <> '';

CREATE TABLE desk_surge_replies (
    incident_id TEXT NOT NULL,
    channel_key TEXT NOT NULL,
    -- the citizen: their id on the channel, or the thread when there is none
    author_key  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (incident_id, channel_key, author_key)
);

-- A Telegram subscriber belongs to the bot they wrote to: a chat id means
-- nothing to another bot.
ALTER TABLE alert_subscribers ADD COLUMN account_id TEXT NOT NULL DEFAULT '';
DROP INDEX alert_subscribers_address;
CREATE UNIQUE INDEX alert_subscribers_address ON alert_subscribers (org_id, kind, account_id, address);

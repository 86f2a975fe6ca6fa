-- Triage: the labels people confirmed or corrected on citizen messages. They
-- are each organisation's own training data, on top of the base set
-- embedded in the binary; the message text is kept because the model
-- learns from it (it goes with the organisation when it is deleted).

CREATE TABLE triage_examples (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    text        TEXT NOT NULL,
    category    TEXT NOT NULL,
    office      TEXT NOT NULL,
    urgency     TEXT NOT NULL,
    moderation  TEXT NOT NULL,
    person_id   TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);
-- (org_id, id): the examples of one organisation in order, and its count
-- and newest id, which tell whether its cached model is stale.
CREATE INDEX triage_examples_org ON triage_examples (org_id, id);

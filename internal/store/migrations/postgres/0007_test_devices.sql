-- The crisis team's test devices, which receive drills, carry a label so
-- the team knows whose each one is ("telefono di turno").
ALTER TABLE alert_subscribers ADD COLUMN label TEXT NOT NULL DEFAULT '';

-- A poll of an account holds a lease on its cursor, so that two instances
-- never read the same updates (a Telegram bot would answer a command twice).
ALTER TABLE desk_cursors ADD COLUMN lease_until TIMESTAMP;

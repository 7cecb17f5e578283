-- The email outbox's indexes are @zigznote/email's (see 0003): migrateDatabase runs the package's own
-- idempotent migration after these files, and that is where the partial indexes are made and the full
-- ones dropped. This file records the schema change for drizzle-kit's snapshot and does nothing itself.
SELECT 1;

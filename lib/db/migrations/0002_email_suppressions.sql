-- The email outbox's tables (email_suppressions, email_outbox) are @zigznote/email's: migrateDatabase
-- runs the package's own idempotent migration after these files, so their DDL has one home. This file
-- stays, as a statement that does nothing, to keep the journal's history whole; databases that ran its
-- earlier text already have the same tables.
SELECT 1;

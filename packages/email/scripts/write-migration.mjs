// Writes migrations/0001_email_outbox.sql from the built migration, so the file psql runs and the one
// outbox.migrate() runs are the same text.
import { mkdirSync, writeFileSync } from 'node:fs';
import { outboxMigrationSql } from '../dist/migration.js';

const folder = new URL('../migrations/', import.meta.url);
mkdirSync(folder, { recursive: true });
writeFileSync(
  new URL('0001_email_outbox.sql', folder),
  `-- @zigznote/email: the outbox and suppression list tables (safe to run again)\n${outboxMigrationSql()}`,
);

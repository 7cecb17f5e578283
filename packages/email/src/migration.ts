/**
 * The outbox's schema, as one SQL statement that is safe to run at every start-up and from several
 * instances at once: it takes a transaction-scoped advisory lock, then creates only what is missing. The
 * same text, with the default table names, ships as migrations/0001_email_outbox.sql for psql or any
 * migration tool.
 */
import { tableIdentifier } from './sql.js';

export interface OutboxTables {
  /** @default 'email_outbox' */
  table?: string;
  /** @default 'email_suppressions' */
  suppressionsTable?: string;
}

export const DEFAULT_TABLES = { table: 'email_outbox', suppressionsTable: 'email_suppressions' } as const;

/** An index name derived from the table's own name, so two outboxes in one schema do not collide. */
function indexName(table: string, suffix: string): string {
  return `"${table.split('.').pop()}_${suffix}"`;
}

/** The same name in the table's schema, as DROP INDEX needs it. */
function qualifiedIndexName(table: string, suffix: string): string {
  const parts = table.split('.');
  return parts.length === 2 ? `"${parts[0]}".${indexName(table, suffix)}` : indexName(table, suffix);
}

/**
 * Email bodies (4–20 kB of HTML) are compressed by Postgres on every insert: lz4 costs about a quarter less
 * database CPU per email than the default pglz. Part of the outbox's migration, after its CREATE TABLE. Postgres 14+ built with lz4 (Debian's and the official
 * images are) only; elsewhere (older servers, PGlite) the columns keep the default and nothing fails. The
 * ALTER runs once: later start-ups see lz4 already set and skip it (rows written before keep pglz).
 */
export function lz4BodiesSql(outbox: string): string {
  return `  BEGIN
    IF current_setting('server_version_num')::int >= 140000 AND EXISTS (
      SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('${outbox.replace(/'/g, "''")}')
        AND attname IN ('html', 'text') AND attcompression IS DISTINCT FROM 'l'
    ) THEN
      EXECUTE 'ALTER TABLE ${outbox.replace(/'/g, "''")} ALTER COLUMN "html" SET COMPRESSION lz4, ALTER COLUMN "text" SET COMPRESSION lz4';
    END IF;
  EXCEPTION WHEN feature_not_supported OR undefined_column OR invalid_parameter_value THEN
    NULL;
  END;`;
}

export function outboxMigrationSql(tables: OutboxTables = {}): string {
  const table = tables.table ?? DEFAULT_TABLES.table;
  const suppressionsTable = tables.suppressionsTable ?? DEFAULT_TABLES.suppressionsTable;
  const outbox = tableIdentifier('table', table);
  const suppressions = tableIdentifier('suppressionsTable', suppressionsTable);
  return `DO $migration$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('@zigznote/email migration'));
  CREATE TABLE IF NOT EXISTS ${suppressions} (
    "email" text PRIMARY KEY NOT NULL,
    "reason" text NOT NULL,
    "created_at" timestamp with time zone DEFAULT now() NOT NULL
  );
  CREATE TABLE IF NOT EXISTS ${outbox} (
    "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
    "idempotency_key" text,
    "content_hash" text NOT NULL,
    "template" text NOT NULL,
    "recipient" text NOT NULL,
    "sender" text NOT NULL,
    "subject" text NOT NULL,
    "html" text NOT NULL,
    "text" text NOT NULL,
    "options" jsonb,
    "status" text DEFAULT 'queued' NOT NULL,
    "attempts" integer DEFAULT 0 NOT NULL,
    "next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
    "lease_until" timestamp with time zone,
    "last_error" text,
    "ses_message_id" text,
    "created_at" timestamp with time zone DEFAULT now() NOT NULL,
    "updated_at" timestamp with time zone DEFAULT now() NOT NULL,
    "sent_at" timestamp with time zone
  );
  CREATE UNIQUE INDEX IF NOT EXISTS ${indexName(table, 'idempotency_key_unique')} ON ${outbox} USING btree ("idempotency_key");
  -- Partial indexes: a row is in the queued one while it waits, in the leased one while it is sent, and in
  -- the message one once SES named it, so each write maintains one of them, not all, and a claim reads the
  -- oldest due rows in order however long the queue (the 0.1 indexes did neither: dropped below).
  CREATE INDEX IF NOT EXISTS ${indexName(table, 'queued_idx')} ON ${outbox} USING btree ("next_attempt_at") WHERE "status" = 'queued';
  CREATE INDEX IF NOT EXISTS ${indexName(table, 'leased_idx')} ON ${outbox} USING btree ("lease_until") WHERE "status" = 'sending';
  CREATE INDEX IF NOT EXISTS ${indexName(table, 'ses_message_sent_idx')} ON ${outbox} USING btree ("ses_message_id") WHERE "ses_message_id" IS NOT NULL;
  DROP INDEX IF EXISTS ${qualifiedIndexName(table, 'due_idx')};
  DROP INDEX IF EXISTS ${qualifiedIndexName(table, 'ses_message_idx')};
${lz4BodiesSql(outbox)}
END
$migration$;
`;
}

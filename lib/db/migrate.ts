/**
 * Applies the migrations in lib/db/migrations (made by drizzle-kit) with Drizzle's migrator, then the
 * email outbox's own (its tables belong to @zigznote/email), once per database: on Postgres under an advisory lock, so several instances starting together apply each
 * migration exactly once. Called at start-up from instrumentation.ts and by the tests. Node-only.
 */
import { outboxMigrationSql } from '@zigznote/email';
import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { join } from 'node:path';
import type { AppConfig } from '../config';
import { getDatabase } from './client';

const MIGRATION_LOCK = 7_244_911_001;

export function migrationsFolder(): string {
  return join(process.cwd(), 'lib', 'db', 'migrations');
}

/** The schema on a node-postgres connection (or transaction): this app's migrations, then the outbox's. */
export async function applyPostgresMigrations(db: NodePgDatabase): Promise<void> {
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  await migrate(db, { migrationsFolder: migrationsFolder() });
  await db.execute(sql.raw(outboxMigrationSql()));
}

export async function migrateDatabase(config: AppConfig['database']): Promise<void> {
  const db = await getDatabase(config);
  if (config.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(db as never, { migrationsFolder: migrationsFolder() });
    await db.execute(sql.raw(outboxMigrationSql()));
    return;
  }
  // The lock is held by one pooled connection: take it and release it in one transaction.
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await applyPostgresMigrations(tx as unknown as NodePgDatabase);
  });
}

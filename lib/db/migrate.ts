/**
 * Applies the migrations in lib/db/migrations (made by drizzle-kit) with Drizzle's migrator, once per
 * database: on Postgres under an advisory lock, so several instances starting together apply each
 * migration exactly once. Called at start-up from instrumentation.ts and by the tests. Node-only.
 */
import { sql } from 'drizzle-orm';
import { join } from 'node:path';
import type { AppConfig } from '../config';
import { getDatabase } from './client';

const MIGRATION_LOCK = 7_244_911_001;

export function migrationsFolder(): string {
  return join(process.cwd(), 'lib', 'db', 'migrations');
}

export async function migrateDatabase(config: AppConfig['database']): Promise<void> {
  const db = await getDatabase(config);
  if (config.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(db as never, { migrationsFolder: migrationsFolder() });
    return;
  }
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  // The lock is held by one pooled connection: take it and release it in one transaction.
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await migrate(tx as never, { migrationsFolder: migrationsFolder() });
  });
}

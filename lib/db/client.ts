/**
 * The database connection: Postgres through node-postgres when DATABASE_URL is set, otherwise the embedded
 * PGlite (development only; config refuses it in production). One connection pool per process, made on
 * first use. Node-only.
 */
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { mkdir } from 'node:fs/promises';
import type { SqlClient } from '@zigznote/email';
import type { AppConfig } from '../config';
import { processState } from '../runtime/process-state';

export type Database = PgDatabase<PgQueryResultHKT>;

interface Connection {
  db: Database;
  /** The driver under Drizzle (a node-postgres Pool or PGlite), for the toolkit packages that take `query()`. */
  client: SqlClient;
  close: () => Promise<void>;
}

const state = processState('database', () => ({ connection: undefined as Promise<Connection> | undefined }));

async function connect(config: AppConfig['database']): Promise<Connection> {
  if (config.kind === 'postgres') {
    const [{ Pool }, { drizzle }] = await Promise.all([import('pg'), import('drizzle-orm/node-postgres')]);
    const pool = new Pool({ connectionString: config.url, max: 10, connectionTimeoutMillis: 5_000 });
    // An idle client losing its server must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    return { db: drizzle({ client: pool }) as unknown as Database, client: pool, close: () => pool.end() };
  }
  const [{ PGlite }, { drizzle }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')]);
  await mkdir(config.dir, { recursive: true });
  const client = await PGlite.create(config.dir);
  return { db: drizzle({ client }) as unknown as Database, client, close: () => client.close() };
}

export async function getDatabase(config: AppConfig['database']): Promise<Database> {
  state.connection ??= connect(config).catch((error) => {
    state.connection = undefined;
    throw error;
  });
  return (await state.connection).db;
}

/** The same connection as `getDatabase`, as the plain `query(text, values)` client the packages take. */
export async function getSqlClient(config: AppConfig['database']): Promise<SqlClient> {
  await getDatabase(config);
  return (await state.connection!).client;
}

export async function closeDatabase(): Promise<void> {
  const current = state.connection;
  state.connection = undefined;
  if (current) await (await current).close();
}

export async function pingDatabase(config: AppConfig['database']): Promise<void> {
  const db = await getDatabase(config);
  await db.execute(sql`select 1`);
}

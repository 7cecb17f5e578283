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
import { processState } from '../runtime';

export type Database = PgDatabase<PgQueryResultHKT>;

interface Connection {
  db: Database;
  /** The driver under Drizzle (a node-postgres Pool or PGlite), for the toolkit packages that take `query()`. */
  client: SqlClient;
  /** Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction: <T>(work: (tx: SqlClient) => Promise<T>) => Promise<T>;
  close: () => Promise<void>;
}

const state = processState('database', () => ({ connection: undefined as Promise<Connection> | undefined }));

async function connect(config: AppConfig['database']): Promise<Connection> {
  if (config.kind === 'postgres') {
    const [{ Pool }, { drizzle }] = await Promise.all([import('pg'), import('drizzle-orm/node-postgres')]);
    const pool = new Pool({ connectionString: config.url, max: 10, connectionTimeoutMillis: 5_000 });
    // An idle client losing its server must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const transaction = async <T>(work: (tx: SqlClient) => Promise<T>): Promise<T> => {
      const connection = await pool.connect();
      let broken: Error | undefined;
      try {
        await connection.query('begin');
        const result = await work(connection);
        await connection.query('commit');
        return result;
      } catch (error) {
        await connection.query('rollback').catch((rollbackFailed: Error) => (broken = rollbackFailed));
        throw error;
      } finally {
        // A connection whose rollback failed is in an unknown state: the pool drops it instead of reusing it.
        connection.release(broken);
      }
    };
    return { db: drizzle({ client: pool }) as unknown as Database, client: pool, transaction, close: () => pool.end() };
  }
  const [{ PGlite }, { drizzle }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')]);
  await mkdir(config.dir, { recursive: true });
  const client = await PGlite.create(config.dir);
  const transaction = <T>(work: (tx: SqlClient) => Promise<T>): Promise<T> => client.transaction((tx) => work(tx));
  return { db: drizzle({ client }) as unknown as Database, client, transaction, close: () => client.close() };
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

/** Runs `work` in one transaction (see Connection.transaction), on the configured database. */
export async function inTransaction<T>(config: AppConfig['database'], work: (tx: SqlClient) => Promise<T>): Promise<T> {
  await getDatabase(config);
  return (await state.connection!).transaction(work);
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

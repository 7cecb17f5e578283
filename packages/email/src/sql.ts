/**
 * The one thing the outbox needs from a database: `query(text, values)` answering `{ rows }`, which a
 * node-postgres Pool, Client or PoolClient (a transaction) and PGlite all are, so the package brings no
 * driver or ORM of its own. Table names are options, checked here because they are written into SQL.
 */
import { createHash } from 'node:crypto';
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

/** A table name as SQL (`"schema"."table"`), or a TypeError naming the option that holds a bad one. */
export function tableIdentifier(option: string, name: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name))
    throw new TypeError(
      `${option} must be a lower-case SQL table name, optionally schema-qualified (got ${JSON.stringify(name)})`,
    );
  return name
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
}

export function isSqlClient(value: unknown): value is SqlClient {
  return typeof (value as SqlClient | undefined)?.query === 'function';
}

/** Raised instead of Postgres's "relation does not exist" when the outbox's tables were never made. */
export class OutboxNotMigratedError extends Error {
  constructor(table: string) {
    super(
      `The email outbox table ${table} does not exist: run the migration: await outbox.migrate(), ` +
        `or psql "$DATABASE_URL" -f node_modules/@zigznote/email/migrations/0001_email_outbox.sql`,
    );
    this.name = 'OutboxNotMigratedError';
  }
}

const UNDEFINED_TABLE = '42P01';

/** node-postgres's other form of `query`: a named statement is parsed and planned once per connection. */
interface NamedStatementClient {
  query(statement: { name: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
}

const statementNames = new Map<string, string>();

/**
 * A name for `text` that no other text gets (two outboxes on other tables share connections), so
 * node-postgres never reuses a statement prepared for different SQL.
 */
export function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `zigznote_email_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Runs a statement, turning "relation does not exist" into the migration hint. `prepared` sends it as a
 * named statement (node-postgres only): Postgres then skips parsing and planning on every later call.
 */
export async function runSql<T>(
  db: SqlClient,
  table: string,
  text: string,
  values?: unknown[],
  prepared = false,
): Promise<T[]> {
  try {
    const result = prepared
      ? await (db as unknown as NamedStatementClient).query({ name: statementName(text), text, values })
      : await db.query(text, values);
    return result.rows as T[];
  } catch (error) {
    if ((error as { code?: string } | undefined)?.code === UNDEFINED_TABLE) throw new OutboxNotMigratedError(table);
    throw error;
  }
}

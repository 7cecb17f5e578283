/**
 * The one thing the outbox needs from a database: `query(text, values)` answering `{ rows }`, which a
 * node-postgres Pool, Client or PoolClient (a transaction) and PGlite all are, so the package brings no
 * driver or ORM of its own. Table names are options, checked here because they are written into SQL.
 */
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

/** Runs a statement, turning "relation does not exist" into the migration hint. */
export async function runSql<T>(db: SqlClient, table: string, text: string, values?: unknown[]): Promise<T[]> {
  try {
    return (await db.query(text, values)).rows as T[];
  } catch (error) {
    if ((error as { code?: string } | undefined)?.code === UNDEFINED_TABLE) throw new OutboxNotMigratedError(table);
    throw error;
  }
}

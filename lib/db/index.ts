/**
 * Database access for the app: the Drizzle connection (Postgres, or embedded PGlite in development),
 * the schema, migrations applied at start-up, and a liveness probe for /api/health. Node-only.
 */
export { getDatabase, getSqlClient, inTransaction, closeDatabase, pingDatabase, type Database } from './client';
export { applyPostgresMigrations, migrateDatabase, migrationsFolder } from './migrate';
export * from './schema';

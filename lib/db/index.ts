/**
 * Database access for the app: the Drizzle connection (Postgres, or embedded PGlite in development)
 * and a liveness probe for /api/health. Node-only.
 */
export { getDatabase, closeDatabase, pingDatabase, type Database } from './client';

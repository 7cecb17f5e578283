// Once before the integration suite: bring the real Postgres the test command started up to the schema.
import { loadConfig } from '@/lib/config';
import { closeDatabase, migrateDatabase } from '@/lib/db';

export default async function setup() {
  const config = loadConfig(process.env);
  if (config.database.kind !== 'postgres')
    throw new Error('integration tests need DATABASE_URL (run them through `npm test`)');
  await migrateDatabase(config.database);
  await closeDatabase();
}

/**
 * Start-up work for the Node server, called once from instrumentation.ts before requests are served:
 * validate configuration (stop with one clear message if it is wrong) and say which backing service
 * each concern uses, stand-ins included. Node-only.
 */
import { ConfigError, getConfig, type AppConfig } from '../config';

export function describeServices(config: AppConfig): string[] {
  const standIn = '(stand-in for development)';
  return [
    config.database.kind === 'postgres'
      ? `database: Postgres at ${safeHost(config.database.url)}`
      : `database: embedded PGlite in ${config.database.dir} ${standIn}; set DATABASE_URL for Postgres`,
    config.redis.kind === 'redis'
      ? `redis:    Redis at ${safeHost(config.redis.url)}`
      : `redis:    in-process store ${standIn}; set REDIS_URL for Redis`,
    `storage:  MinIO at ${config.storage.endPoint}:${config.storage.port}, browsers use ${config.storage.publicUrl}`,
    config.email.endpoint
      ? `email:    SES endpoint ${config.email.endpoint}`
      : `email:    AWS SES in ${config.email.region}`,
  ];
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an unparseable URL';
  }
}

export async function startServer(): Promise<void> {
  let config: AppConfig;
  try {
    config = getConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`\n${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  for (const line of describeServices(config)) console.log(`[zigznote] ${line}`);
}

/**
 * The shared ioredis connection. A short command timeout and a bounded offline queue make a slow or dead
 * Redis fail fast instead of hanging requests; reconnection is automatic. Node-only.
 */
import Redis from 'ioredis';

const COMMAND_TIMEOUT_MS = 500;

let client: Redis | undefined;

export function createRedisClient(url: string, options: { commandTimeout?: number } = {}): Redis {
  return new Redis(url, {
    commandTimeout: options.commandTimeout ?? COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    lazyConnect: false,
  });
}

export function getRedis(url: string): Redis {
  if (!client) {
    client = createRedisClient(url);
    // Errors surface through the commands that fail; the connection event alone must not crash the process.
    client.on('error', () => {});
  }
  return client;
}

export async function closeRedis(): Promise<void> {
  const current = client;
  client = undefined;
  if (current) await current.quit().catch(() => current.disconnect());
}

export async function pingRedis(url: string): Promise<void> {
  const reply = await getRedis(url).ping();
  if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
}

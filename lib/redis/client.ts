/**
 * The shared ioredis connection, to a single node, a Sentinel-managed primary or a Cluster, as configured.
 * A short command timeout makes a slow or dead Redis fail fast instead of hanging requests; reconnection
 * is automatic. The timeout measures Redis, not this process: see `armCommandTimeout`. Node-only.
 */
import Redis, { Cluster, type Command } from 'ioredis';
import { withIoDeadline } from '@zigznote/ratelimit/limiter';
import type { AppConfig } from '../config';
import { recordRedisError } from '../observability';
import { processState } from '../runtime';
import { MemoryKeyValue, RedisKeyValue, type KeyValue } from './key-value';

export type RedisConnection = Redis | Cluster;
export type RedisConfig = Exclude<AppConfig['redis'], { kind: 'memory' }>;

const COMMAND_TIMEOUT_MS = 500;

const timedCommands = new WeakSet<Command>();

/**
 * ioredis's own `commandTimeout` is a plain timer, and timers run before sockets are read: after this
 * process's event loop was busy for longer than the timeout (a long render, a flood of work), a command
 * Redis answered in a millisecond failed as "Command timed out", and the limiter failed closed with 503s
 * under load. This deadline first reads what waits on the socket and grants the time our own loop held
 * it up, once (withIoDeadline), so only a command Redis leaves unanswered fails. Armed once per command:
 * a command queued while offline is sent again on reconnection, its deadline still counted from the first.
 */
function armCommandTimeout(command: Command): void {
  if (timedCommands.has(command)) return;
  timedCommands.add(command);
  withIoDeadline(command.promise, COMMAND_TIMEOUT_MS, 'Command timed out').catch((error: unknown) => {
    if (!command.isSettled)
      command.reject(error instanceof Error ? new Error(error.message) : new Error(String(error)));
  });
}

class StallTolerantRedis extends Redis {
  override sendCommand(...args: Parameters<Redis['sendCommand']>): ReturnType<Redis['sendCommand']> {
    armCommandTimeout(args[0]);
    return super.sendCommand(...args);
  }
}

class StallTolerantCluster extends Cluster {
  override sendCommand(...args: Parameters<Cluster['sendCommand']>): ReturnType<Cluster['sendCommand']> {
    armCommandTimeout(args[0]);
    return super.sendCommand(...args);
  }
}

const clientOptions = {
  connectTimeout: 2_000,
  maxRetriesPerRequest: 1,
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 2_000),
  // A primary demoted by a failover answers writes with READONLY: reconnect (to the new primary) and
  // send the command again.
  reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 2 : false),
};

export function createRedisClient(config: RedisConfig): RedisConnection {
  let client: RedisConnection;
  if (config.kind === 'cluster') {
    client = new StallTolerantCluster(config.nodes, {
      redisOptions: { ...clientOptions, password: config.password },
      clusterRetryStrategy: clientOptions.retryStrategy,
    });
  } else if (config.kind === 'sentinel') {
    // failoverDetector follows the Sentinels' +switch-master: without it the client stays on a demoted
    // primary that still accepts writes until the Sentinel reconfigures it, and those writes are lost.
    client = new StallTolerantRedis({
      ...clientOptions,
      sentinels: config.sentinels,
      name: config.name,
      password: config.password,
      failoverDetector: true,
    });
  } else {
    client = new StallTolerantRedis(config.url, clientOptions);
  }
  // Errors surface through the commands that fail; the connection event alone must not crash the process.
  client.on('error', recordRedisError);
  return client;
}

const state = processState('redis', () => ({
  clients: new Map<string, RedisConnection>(),
  memory: undefined as MemoryKeyValue | undefined,
}));
const clients = state.clients;

/** The process's connection for this configuration, made on first use. */
export function getRedis(config: RedisConfig): RedisConnection {
  const key = JSON.stringify(config);
  let client = clients.get(key);
  if (!client) {
    client = createRedisClient(config);
    clients.set(key, client);
  }
  return client;
}

export async function closeRedis(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(all.map((client) => client.quit().catch(() => client.disconnect())));
}

export async function pingRedis(config: RedisConfig): Promise<void> {
  const reply = await getRedis(config).ping();
  if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
}

/** Sessions' and tokens' store: Redis when configured, else one in-process store (development only). */
export function getKeyValue(config: AppConfig['redis']): KeyValue {
  if (config.kind === 'memory') {
    state.memory ??= new MemoryKeyValue();
    return state.memory;
  }
  return new RedisKeyValue(getRedis(config));
}

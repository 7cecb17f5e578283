// The three key-value stores sessions and tokens run on (the app's Redis, the in-process store, a
// throwaway 3-master Redis Cluster), for suites that check each behaviour on all of them. Call it at the
// top of a test file: it starts the Cluster before the file's tests and stops it after.
import { Cluster } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '@/lib/config';
import { closeRedis, getKeyValue, MemoryKeyValue, RedisKeyValue, type KeyValue } from '@/lib/redis';
import { startRedisCluster } from './redis-server';

export function keyValueStores(): { redisKv: KeyValue; stores: Array<[string, () => KeyValue]> } {
  const redisKv = getKeyValue(loadConfig(process.env).redis);
  const memoryKv = new MemoryKeyValue();
  let cluster: Awaited<ReturnType<typeof startRedisCluster>> | undefined;
  let clusterClient: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    clusterClient = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
  }, 60_000);
  afterAll(async () => {
    await clusterClient?.quit();
    await cluster?.stop();
    await closeRedis();
  });
  return {
    redisKv,

    stores: [
      ['Redis', () => redisKv],
      ['in-process', () => memoryKv],
      ['3-master Redis Cluster', () => new RedisKeyValue(clusterClient!)],
    ],
  };
}

/**
 * The app's Redis connection (sessions, rate limits, email idempotency): one shared ioredis client per
 * configuration (single node, Sentinel or Cluster) that fails fast when Redis is slow or gone; the small
 * key-value interface sessions and tokens use (with an in-process twin for development); and a liveness
 * probe for /api/health. Node-only.
 */
export {
  getRedis,
  getKeyValue,
  createRedisClient,
  closeRedis,
  pingRedis,
  type RedisConnection,
  type RedisConfig,
} from './client';
export { MemoryKeyValue, RedisKeyValue, type KeyValue } from './key-value';

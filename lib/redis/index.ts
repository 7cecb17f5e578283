/**
 * The app's Redis connection (sessions, rate limits, email idempotency): one shared ioredis client per
 * configuration (single node, Sentinel or Cluster) that fails fast when Redis is slow or gone, and a
 * liveness probe for /api/health. Node-only.
 */
export { getRedis, createRedisClient, closeRedis, pingRedis, type RedisConnection, type RedisConfig } from './client';

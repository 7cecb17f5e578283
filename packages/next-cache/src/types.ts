import type { Cluster, Redis } from 'ioredis';

/** Any ioredis connection: a single node, a Sentinel-managed primary, or a Cluster. */
export type RedisClient = Redis | Cluster;

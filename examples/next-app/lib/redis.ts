// One ioredis client per process, shared by the limiter and the cache.
import { Redis } from 'ioredis';

const url = process.env.REDIS_URL;
if (!url) throw new Error('REDIS_URL is not set');

const global = globalThis as { exampleRedis?: Redis };
export const redis = (global.exampleRedis ??= new Redis(url));

// This app's policy table on a limiter over a given Redis client, and a group's limits read from that
// table: a test states "the limit", not its number, so changing a limit in policies.ts changes no test.
import { RedisStore } from '@zigznote/ratelimit';
import type { Cluster, Redis } from 'ioredis';
import { DEFAULT_POLICIES, RateLimiter, type RouteGroup } from '@/lib/rate-limit';

export function appLimiter(client: Redis | Cluster, { timeoutMs }: { timeoutMs?: number } = {}) {
  return new RateLimiter({ policies: DEFAULT_POLICIES, store: new RedisStore(client), timeoutMs, log: () => {} });
}

/** The limit of the group's first rule (the one that binds first for a single client). */
export function limitOf(group: RouteGroup): number {
  return DEFAULT_POLICIES[group].rules[0]!.limit;
}

/** `limit` times 200, then one 429: what one client sees when it spends a budget. */
export function spentBudget(limit: number): number[] {
  return [...Array.from({ length: limit }, () => 200), 429];
}

/**
 * The Redis store: every check is one EVALSHA of the script in scripts.ts (ioredis defineCommand loads
 * it once and falls back to EVAL after a script flush). Works on a single node, Sentinel or Cluster: the
 * caller's hash tag is put in every key of a check, so all of them live in one slot. Node-only.
 */
import type { Cluster, Redis } from 'ioredis';
import { CHECK_LIMITS_LUA } from './scripts';
import type { CheckOutcome, LimitSpec, RateLimitStore } from './types';

type ScriptingClient = (Redis | Cluster) & {
  zigznoteCheckLimits?: (numKeys: number, ...args: (string | number)[]) => Promise<(string | number)[]>;
};

const COMMAND = 'zigznoteCheckLimits';

export function slotKey(hashTag: string, key: string): string {
  return `rl:{${hashTag}}:${key}`;
}

export class RedisStore implements RateLimitStore {
  constructor(private readonly client: Redis | Cluster) {
    const scripting = client as ScriptingClient;
    if (typeof scripting[COMMAND] !== 'function') {
      client.defineCommand(COMMAND, { lua: CHECK_LIMITS_LUA });
    }
  }

  async check(specs: LimitSpec[], hashTag: string): Promise<CheckOutcome> {
    const keys = specs.map((spec) => slotKey(hashTag, spec.key));
    const args: (string | number)[] = [specs.length];
    for (const spec of specs) {
      args.push(spec.algorithm === 'sliding-log' ? 'log' : 'counter', spec.limit, spec.windowMs, spec.cost);
    }
    const reply = await (this.client as ScriptingClient)[COMMAND]!(keys.length, ...keys, ...args);
    return {
      allowed: Number(reply[0]) === 1,
      limits: specs.map((spec, i) => ({
        name: spec.name,
        limit: spec.limit,
        windowMs: spec.windowMs,
        remaining: Number(reply[1 + i * 2]),
        resetMs: Number(reply[2 + i * 2]),
      })),
    };
  }

  async clear(keys: string[], hashTag: string): Promise<void> {
    if (keys.length > 0) await this.client.del(...keys.map((key) => slotKey(hashTag, key)));
  }
}

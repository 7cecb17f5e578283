/**
 * The Redis store: every check is one EVALSHA of the script in scripts.ts (ioredis defineCommand loads
 * it once and falls back to EVAL after a script flush). Works on a single node, Sentinel or Cluster: the
 * caller's hash tag is put in every key of a check, so all of them live in one slot. Node-only.
 */
import type { Cluster, Redis } from 'ioredis';
import { CHECK_LIMITS_LUA, REFUND_LIMITS_LUA } from './scripts';
import type { CheckOutcome, LimitSpec, RateLimitStore } from './types';

const COMMAND = 'zigznoteCheckLimits';
const REFUND_COMMAND = 'zigznoteRefundLimits';

export function slotKey(hashTag: string, key: string, prefix = DEFAULT_PREFIX): string {
  return `${prefix}{${hashTag}}:${key}`;
}

const DEFAULT_PREFIX = 'rl:';

export interface RedisStoreOptions {
  /** Prefix of every key (default "rl:"). */
  prefix?: string;
  /** Names the scripts are defined under on the client. */
  scriptNames?: { check?: string; refund?: string };
}

type ScriptCommand = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;

export class RedisStore implements RateLimitStore {
  private readonly prefix: string;
  private readonly checkCommand: ScriptCommand;
  private readonly refundCommand: ScriptCommand;

  constructor(
    private readonly client: Redis | Cluster,
    options: RedisStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    const checkName = options.scriptNames?.check ?? COMMAND;
    const refundName = options.scriptNames?.refund ?? REFUND_COMMAND;
    const scripting = client as unknown as Record<string, ScriptCommand | undefined>;
    if (typeof scripting[checkName] !== 'function') client.defineCommand(checkName, { lua: CHECK_LIMITS_LUA });
    if (typeof scripting[refundName] !== 'function') client.defineCommand(refundName, { lua: REFUND_LIMITS_LUA });
    this.checkCommand = scripting[checkName]!.bind(client);
    this.refundCommand = scripting[refundName]!.bind(client);
  }

  async refund(specs: LimitSpec[], hashTag: string): Promise<void> {
    const refundable = specs.filter((spec) => spec.cost > 0);
    if (refundable.length === 0) return;
    const args: (string | number)[] = [refundable.length];
    for (const spec of refundable) args.push(spec.algorithm === 'sliding-log' ? 'log' : 'counter', spec.windowMs, spec.cost);
    const keys = refundable.map((spec) => slotKey(hashTag, spec.key, this.prefix));
    await this.refundCommand(keys.length, ...keys, ...args);
  }

  async check(specs: LimitSpec[], hashTag: string): Promise<CheckOutcome> {
    const keys = specs.map((spec) => slotKey(hashTag, spec.key, this.prefix));
    const args: (string | number)[] = [specs.length];
    for (const spec of specs) {
      args.push(spec.algorithm === 'sliding-log' ? 'log' : 'counter', spec.limit, spec.windowMs, spec.cost);
    }
    const reply = (await this.checkCommand(keys.length, ...keys, ...args)) as (string | number)[];
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
    if (keys.length > 0) await this.client.del(...keys.map((key) => slotKey(hashTag, key, this.prefix)));
  }
}

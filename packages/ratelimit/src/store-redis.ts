/**
 * The Redis store. A check is one MULTI/EXEC of plain commands: one round trip, atomic, and no Lua on
 * the hot path, because Redis 7's Lua bridge costs several times the commands it runs (bench/rate-limit.ts
 * prints both). The transaction adds the request's hit to every limit and reads the counts back; when any
 * limit is over, a second transaction withdraws the hit from all of them before the answer is given, so a
 * refused request keeps nothing. Redis runs transactions one after another, so each check sees every hit
 * before it: no more than `limit` pass, and a refused hit not yet withdrawn can only refuse, never admit.
 * Time is Redis's clock (TIME), sampled by each process every 30 s, one clock for every instance.
 * Single node, Sentinel or Cluster: the caller's hash tag is in every key of a check (one slot). Node-only.
 */
import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { REFUND_LIMITS_LUA } from './limits-scripts.js';
import type { CheckOutcome, LimitSpec, LimitState, RateLimitStore } from './limiter/types.js';

const DEFAULT_PREFIX = 'rl:';
const REFUND_COMMAND = 'rateLimitRefund';

export function slotKey(hashTag: string, key: string, prefix = DEFAULT_PREFIX): string {
  return `${prefix}{${hashTag}}:${key}`;
}

export interface RedisStoreOptions {
  /** Prefix of every key. @default "rl:" */
  prefix?: string;
  /** The name the refund script is defined under on the client. @default { refund: 'rateLimitRefund' } */
  scriptNames?: { refund?: string };
  /** Milliseconds since the epoch; tests pass a fixed one. @default Redis's clock (TIME, sampled) */
  clock?: () => number;
}

type ScriptCommand = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;
type Reply = [error: Error | null, value: unknown][];

/** What one limit's commands in the transaction found, and what withdrawing its hit takes. */
interface Measured {
  fits: boolean;
  /** Hits counted before this request (for a counter: the current window's, unweighted). */
  before: number;
  state(allowed: boolean): LimitState;
  withdraw(tx: ChainableCommander): void;
  /** For a refused sliding log: the hit whose leaving makes room, read after the withdrawal. */
  blocker?: { key: string; index: number; resolve(score: number | undefined): void };
}

export class RedisStore implements RateLimitStore {
  private readonly prefix: string;
  private readonly refundCommand: ScriptCommand;
  private readonly now: () => number | Promise<number>;
  // Members only need to be unique: this process's random prefix and a sequence number.
  private readonly memberPrefix = Math.random().toString(36).slice(2, 8);
  private sequence = 0;

  constructor(
    private readonly client: Redis | Cluster,
    options: RedisStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    const refundName = options.scriptNames?.refund ?? REFUND_COMMAND;
    const scripting = client as unknown as Record<string, ScriptCommand | undefined>;
    if (typeof scripting[refundName] !== 'function') client.defineCommand(refundName, { lua: REFUND_LIMITS_LUA });
    this.refundCommand = scripting[refundName]!.bind(client);
    const clock = options.clock ? null : new RedisClock(client);
    this.now = options.clock ?? (() => clock!.now());
  }

  async check(specs: LimitSpec[], hashTag: string): Promise<CheckOutcome> {
    const now = await this.now();
    const tx = this.client.multi();
    const readers = specs.map((spec) => this.queue(tx, spec, slotKey(hashTag, spec.key, this.prefix), now));
    const reply = await execute(tx);
    let cursor = 0;
    const measured = readers.map((read) => {
      const result = read(reply, cursor);
      cursor = result.next;
      return result.measured;
    });
    const allowed = measured.every((m) => m.fits);
    if (!allowed) {
      const followUp = this.client.multi();
      for (const m of measured) m.withdraw(followUp);
      const blockers = measured.flatMap((m) => (m.blocker ? [m.blocker] : []));
      for (const b of blockers) followUp.zrange(b.key, b.index, String(b.index), 'WITHSCORES');
      const result = await execute(followUp);
      const scores = result.slice(result.length - blockers.length);
      blockers.forEach((b, i) => {
        const entry = scores[i]![1] as string[];
        b.resolve(entry[1] === undefined ? undefined : Number(entry[1]));
      });
    }
    return { allowed, limits: measured.map((m) => m.state(allowed)) };
  }

  async refund(specs: LimitSpec[], hashTag: string): Promise<void> {
    const refundable = specs.filter((spec) => spec.cost > 0);
    if (refundable.length === 0) return;
    const now = await this.now();
    const keys = refundable.map((spec) => {
      const key = slotKey(hashTag, spec.key, this.prefix);
      return spec.algorithm === 'sliding-log' ? key : windowKey(key, Math.floor(now / spec.windowMs));
    });
    const args = refundable.flatMap((spec) => [spec.algorithm === 'sliding-log' ? 'log' : 'counter', spec.cost]);
    await this.refundCommand(keys.length, ...keys, refundable.length, ...args);
  }

  async clear(specs: LimitSpec[], hashTag: string): Promise<void> {
    if (specs.length === 0) return;
    const now = await this.now();
    const keys = specs.flatMap((spec) => {
      const key = slotKey(hashTag, spec.key, this.prefix);
      if (spec.algorithm === 'sliding-log') return [key];
      const index = Math.floor(now / spec.windowMs);
      return [windowKey(key, index), windowKey(key, index - 1)];
    });
    await this.client.del(...keys);
  }

  /** Queues one limit's commands; returns how to read its answers from the transaction's reply. */
  private queue(
    tx: ChainableCommander,
    spec: LimitSpec,
    key: string,
    now: number,
  ): (reply: Reply, at: number) => { measured: Measured; next: number } {
    // Whole milliseconds for the log's scores: Redis keeps integer scores of a small sorted set as
    // integers, where a fractional one is kept as text and parsed again by every range command (measured:
    // ZADD 5.3 µs and ZREMRANGEBYSCORE 3.3 µs of Redis CPU with fractional scores).
    return spec.algorithm === 'sliding-log'
      ? this.queueLog(tx, spec, key, Math.floor(now))
      : queueCounter(tx, spec, key, now);
  }

  private queueLog(tx: ChainableCommander, spec: LimitSpec, key: string, now: number) {
    const { limit, windowMs: window, cost } = spec;
    const members: string[] = [];
    tx.zremrangebyscore(key, '-inf', now - window);
    if (cost > 0) {
      const scored: (string | number)[] = [];
      for (let c = 0; c < cost; c++) {
        const member = `${this.memberPrefix}${(this.sequence++).toString(36)}`;
        members.push(member);
        scored.push(now, member);
      }
      tx.zadd(key, ...scored);
    }
    tx.zcard(key);
    // A hit is recorded now, so everything counted has left one window from now; a look needs the newest.
    if (cost > 0) tx.pexpire(key, Math.ceil(window));
    else tx.zrange(key, -1, '-1', 'WITHSCORES');
    return (reply: Reply, at: number) => {
      const countIndex = at + (cost > 0 ? 2 : 1);
      const count = Number(reply[countIndex]![1]) - cost;
      const newest = cost > 0 ? now : Number((reply[countIndex + 1]![1] as string[])[1] ?? now);
      const need = Math.max(cost, 1);
      const fits = count + need <= limit;
      let blockerScore: number | undefined;
      const measured: Measured = {
        fits,
        before: count,
        state: (allowed) => {
          const counted = allowed ? count + cost : count;
          let resetMs: number;
          if (!fits) resetMs = blockerScore === undefined ? window : blockerScore + window - now;
          else if (counted === 0) resetMs = 0;
          // room left: the whole quota is back once the newest counted hit has left the window (refused by
          // another limit, this request's own hit was withdrawn: at most a window, said as a window)
          else resetMs = newest + window - now;
          return state(spec, Math.max(limit - counted, 0), resetMs);
        },
        withdraw: (followUp) => {
          if (members.length > 0) followUp.zrem(key, ...members);
        },
      };
      if (!fits) {
        measured.blocker = {
          key,
          index: Math.max(count - limit + need - 1, 0),
          resolve: (score) => (blockerScore = score),
        };
      }
      // zremrangebyscore, zadd, zcard, pexpire for a hit; zremrangebyscore, zcard, zrange for a look
      return { measured, next: at + (cost > 0 ? 4 : 3) };
    };
  }
}

/** The sliding-window counter: one integer key per fixed window, the previous one weighted by its overlap. */
function queueCounter(tx: ChainableCommander, spec: LimitSpec, key: string, now: number) {
  const { limit, windowMs: window, cost } = spec;
  const index = Math.floor(now / window);
  const elapsed = now - index * window;
  const current = windowKey(key, index);
  const previous = windowKey(key, index - 1);
  if (cost > 0) {
    tx.incrby(current, cost);
    tx.pexpire(current, Math.ceil(window * 2));
    tx.get(previous);
  } else {
    tx.mget(current, previous);
  }
  return (reply: Reply, at: number) => {
    let before: number;
    let prior: number;
    if (cost > 0) {
      before = Number(reply[at]![1]) - cost;
      prior = Number(reply[at + 2]![1] ?? 0);
    } else {
      const [cur, prev] = reply[at]![1] as (string | null)[];
      before = Number(cur ?? 0);
      prior = Number(prev ?? 0);
    }
    before = Math.max(before, 0);
    const weight = (window - elapsed) / window;
    const need = Math.max(cost, 1);
    const fits = prior * weight + before + need <= limit;
    let resetMs = window - elapsed;
    if (!fits) {
      const room = limit - need;
      if (before <= room && prior > 0) resetMs = window * (1 - (room - before) / prior) - elapsed;
      else if (room > 0 && before > 0) resetMs = window - elapsed + window * (1 - room / before);
      else resetMs = window - elapsed + window;
    }
    const measured: Measured = {
      fits,
      before,
      state: (allowed) => {
        const counted = allowed ? before + cost : before;
        return state(spec, Math.max(Math.floor(limit - (prior * weight + counted)), 0), resetMs);
      },
      withdraw: (followUp) => {
        if (cost > 0) followUp.decrby(current, cost);
      },
    };
    return { measured, next: at + (cost > 0 ? 3 : 1) };
  };
}

function windowKey(key: string, index: number): string {
  return `${key}:${index}`;
}

function state(spec: LimitSpec, remaining: number, resetMs: number): LimitState {
  return {
    name: spec.name,
    limit: spec.limit,
    windowMs: spec.windowMs,
    remaining,
    resetMs: Math.round(Math.max(resetMs, 0)),
  };
}

async function execute(tx: ChainableCommander): Promise<Reply> {
  const reply = (await tx.exec()) as Reply | null;
  if (!reply) throw new Error('rate-limit transaction was aborted');
  const failed = reply.find(([error]) => error);
  if (failed) throw failed[0];
  return reply;
}

/**
 * Redis's clock as seen from this process: the offset from the local clock, measured with TIME (to within
 * half a round trip) before the first check and again every `resampleMs` without holding a check up.
 */
class RedisClock {
  private offsetMs: number | undefined;
  private sampledAt = -Infinity;
  private sampling: Promise<void> | undefined;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly resampleMs = 30_000,
  ) {}

  now(): number | Promise<number> {
    const local = localNow();
    if (this.offsetMs === undefined) return this.sample().then(() => localNow() + this.offsetMs!);
    if (local - this.sampledAt > this.resampleMs) this.sample().catch(() => {});
    return local + this.offsetMs;
  }

  private sample(): Promise<void> {
    this.sampling ??= (async () => {
      const before = localNow();
      const [seconds, micros] = await this.client.time();
      const after = localNow();
      this.offsetMs = Number(seconds) * 1000 + Number(micros) / 1000 - (before + after) / 2;
      this.sampledAt = after;
    })().finally(() => {
      this.sampling = undefined;
    });
    return this.sampling;
  }
}

function localNow(): number {
  return performance.timeOrigin + performance.now();
}

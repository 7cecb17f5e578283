/**
 * When each cache tag was last invalidated, shared by every instance through Redis. The states live in
 * one hash (its key and the pruning index share a hash tag, so the update script runs on Cluster too);
 * every update is published, and each instance keeps the states it has read in a small in-process map
 * that the published updates keep current. While the subscription is down, nothing is kept locally and
 * every read goes to Redis, so a missed message cannot leave an instance serving an invalidated entry.
 * Node-only.
 */
import { LRUCache } from 'lru-cache';
import type { RedisClient } from './types.js';

/** Next's tag semantics: `stale` marks entries older than it for background refresh, `expired` drops them. */
export interface TagState {
  stale?: number;
  expired?: number;
}

// KEYS: states hash, times zset. ARGV: now ms, mode ('now' | 'stale' | expire ms), prune cutoff ms,
// channel, tags…  Answers the new states as [tag, json, tag, json…] after publishing them.
const UPDATE_TAGS = `
local now = tonumber(ARGV[1])
local mode = ARGV[2]
local changed = {}
for i = 5, #ARGV do
  local tag = ARGV[i]
  local raw = redis.call('HGET', KEYS[1], tag)
  local state = {}
  if raw then state = cjson.decode(raw) end
  if mode == 'now' then
    state.expired = now
  else
    state.stale = now
    if mode ~= 'stale' then state.expired = now + tonumber(mode) end
  end
  local encoded = cjson.encode(state)
  redis.call('HSET', KEYS[1], tag, encoded)
  redis.call('ZADD', KEYS[2], now, tag)
  changed[#changed + 1] = tag
  changed[#changed + 1] = encoded
end
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[3], 'LIMIT', 0, 100)
if #old > 0 then
  redis.call('HDEL', KEYS[1], unpack(old))
  redis.call('ZREM', KEYS[2], unpack(old))
end
redis.call('PUBLISH', ARGV[4], cjson.encode(changed))
return changed
`;

export interface TagManifestOptions {
  prefix: string;
  /** A tag state older than this can be forgotten: every entry it could invalidate has expired. */
  retentionSeconds: number;
  /** How many tag states each instance keeps in memory. @default 10000 */
  localEntries?: number;
  /** The name the update script is defined under on the Redis client. @default "nextCacheUpdateTags" */
  scriptName?: string;
}

export class TagManifest {
  private readonly local: LRUCache<string, TagState>;
  private readonly statesKey: string;
  private readonly timesKey: string;
  private readonly channel: string;
  private readonly scriptName: string;
  private subscribed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly subscriber: RedisClient | undefined,
    private readonly options: TagManifestOptions,
  ) {
    this.local = new LRUCache({ max: options.localEntries ?? 10_000 });
    this.statesKey = `${options.prefix}{tags}:states`;
    this.timesKey = `${options.prefix}{tags}:times`;
    this.channel = `${options.prefix}tags`;
    this.scriptName = options.scriptName ?? 'nextCacheUpdateTags';
    if (typeof (this.redis as unknown as Record<string, unknown>)[this.scriptName] !== 'function') {
      this.redis.defineCommand(this.scriptName, { numberOfKeys: 2, lua: UPDATE_TAGS });
    }
  }

  /**
   * Follows other instances' updates from now on, including after reconnects; until the subscription
   * is confirmed, reads always go to Redis. Does not wait for Redis: a cache that starts down catches up.
   */
  listen(): void {
    const subscriber = this.subscriber;
    if (!subscriber) return;
    const stopKeeping = () => {
      this.subscribed = false;
      this.local.clear();
    };
    const subscribe = () => {
      subscriber.subscribe(this.channel).then(() => {
        this.local.clear();
        this.subscribed = true;
      }, stopKeeping);
    };
    subscriber.on('close', stopKeeping);
    subscriber.on('reconnecting', stopKeeping);
    subscriber.on('end', stopKeeping);
    subscriber.on('ready', subscribe);
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.applyPublished(message);
    });
    if (subscriber.status === 'ready') subscribe();
  }

  get listening(): boolean {
    return this.subscribed;
  }

  async states(tags: readonly string[]): Promise<Map<string, TagState>> {
    const found = new Map<string, TagState>();
    const missing: string[] = [];
    for (const tag of new Set(tags)) {
      const known = this.subscribed ? this.local.get(tag) : undefined;
      if (known) found.set(tag, known);
      else missing.push(tag);
    }
    if (missing.length === 0) return found;
    const raw = await this.redis.hmget(this.statesKey, ...missing);
    missing.forEach((tag, index) => {
      const state = parseState(raw[index]);
      found.set(tag, state);
      if (this.subscribed) this.local.set(tag, state);
    });
    return found;
  }

  /**
   * Without durations the tags expire now; with them they turn stale now and expire after
   * `durations.expire` seconds (Next's `revalidateTag(tag, profile)`).
   */
  async update(tags: readonly string[], durations?: { expire?: number }): Promise<void> {
    const unique = [...new Set(tags)];
    if (unique.length === 0) return;
    const now = Date.now();
    const mode = !durations
      ? 'now'
      : durations.expire === undefined
        ? 'stale'
        : String(Math.max(0, durations.expire) * 1000);
    const cutoff = now - this.options.retentionSeconds * 1000;
    const updateTags = (this.redis as unknown as Record<string, UpdateTagsCommand>)[this.scriptName]!;
    const changed = (await updateTags.call(
      this.redis,
      this.statesKey,
      this.timesKey,
      now,
      mode,
      cutoff,
      this.channel,
      ...unique,
    )) as string[];
    // Our own copy is current before the caller goes on, whatever the subscription's delay.
    this.applyPairs(changed);
  }

  private applyPublished(message: string) {
    try {
      this.applyPairs(JSON.parse(message) as string[]);
    } catch {
      this.local.clear();
    }
  }

  private applyPairs(pairs: unknown) {
    // cjson encodes an empty list as {}: nothing changed.
    if (!Array.isArray(pairs)) return;
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const tag = String(pairs[i]);
      if (this.subscribed) this.local.set(tag, parseState(String(pairs[i + 1])));
      else this.local.delete(tag);
    }
  }
}

type UpdateTagsCommand = (...args: Array<string | number>) => Promise<unknown>;

function parseState(raw: string | null | undefined): TagState {
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as TagState;
    return {
      ...(typeof parsed.stale === 'number' ? { stale: parsed.stale } : {}),
      ...(typeof parsed.expired === 'number' ? { expired: parsed.expired } : {}),
    };
  } catch {
    return {};
  }
}

/** Next's rule: an entry is expired when a tag expired after it was written and that time has come. */
export function hasExpiredTag(
  tags: readonly string[],
  states: Map<string, TagState>,
  writtenAt: number,
  now = Date.now(),
): boolean {
  return tags.some((tag) => {
    const expired = states.get(tag)?.expired;
    return typeof expired === 'number' && expired <= now && expired > writtenAt;
  });
}

export function hasStaleTag(tags: readonly string[], states: Map<string, TagState>, writtenAt: number): boolean {
  return tags.some((tag) => (states.get(tag)?.stale ?? 0) > writtenAt);
}

/** The latest expiry among the tags, as Next's `getExpiration` answers it (0: never invalidated). */
export function latestExpiry(states: Map<string, TagState>): number {
  let latest = 0;
  for (const state of states.values()) latest = Math.max(latest, state.expired ?? 0);
  return latest;
}

/**
 * The limiter as seen from Edge middleware, which cannot open a Redis connection: checks go by POST to a
 * Node route (`createBridgeHandler`) at a configured internal address (never one taken from the request),
 * with a shared secret. Checks made while the bridge is busy travel together: at most `maxInFlight` POSTs
 * at a time, and everything that arrives meanwhile goes in the next one, so a lone request waits for
 * nothing and a flood costs the Node side one request per batch, not per check. Edge-safe.
 */
import type { Decide, LimitCheck, LimitDecision } from './types.js';

export interface BridgeOptions {
  /** The bridge route's full URL on an address only your servers reach, e.g. `http://127.0.0.1:3000/api/internal/rate-limit`. */
  url: string;
  /** Shared with the route; at least 32 characters. */
  secret: string;
  /** One POST's limit; past it the checks of that POST fail (and `failOpen` decides). @default 1000 */
  timeoutMs?: number;
  /** POSTs at once; checks arriving while all are out wait for the next batch. @default 4 */
  maxInFlight?: number;
  /** Checks in one POST at most. @default 64 */
  maxBatch?: number;
}

interface Waiting {
  check: LimitCheck;
  resolve: (decision: LimitDecision) => void;
  reject: (error: unknown) => void;
}

export function bridgeDecide<G extends string = string>(options: BridgeOptions): Decide<G> {
  try {
    new URL(options?.url);
  } catch {
    throw new TypeError(`bridgeDecide needs the bridge route's full URL (got ${JSON.stringify(options?.url)})`);
  }
  if (typeof options.secret !== 'string' || options.secret.length < 32)
    throw new TypeError('bridgeDecide needs a secret of at least 32 characters, shared with the bridge route');
  const timeoutMs = options.timeoutMs ?? 1_000;
  const maxInFlight = options.maxInFlight ?? 4;
  const maxBatch = options.maxBatch ?? 64;
  const queue: Waiting[] = [];
  let inFlight = 0;

  const send = async (batch: Waiting[]) => {
    inFlight++;
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${options.secret}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ checks: batch.map((w) => w.check) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) throw new Error(`rate-limit bridge answered ${response.status}`);
      const { decisions } = (await response.json()) as { decisions: LimitDecision[] };
      if (!Array.isArray(decisions) || decisions.length !== batch.length)
        throw new Error('rate-limit bridge answered a malformed batch');
      batch.forEach((waiting, i) => waiting.resolve(decisions[i]!));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      inFlight--;
      pump();
    }
  };

  const pump = () => {
    while (queue.length > 0 && inFlight < maxInFlight) void send(queue.splice(0, maxBatch));
  };

  return (check) =>
    new Promise<LimitDecision>((resolve, reject) => {
      queue.push({ check, resolve, reject });
      pump();
    });
}

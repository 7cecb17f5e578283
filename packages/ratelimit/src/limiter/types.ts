/**
 * The shapes every rate-limit store and caller share: what a limit is, and what a check answers.
 * Edge-safe.
 */
export type Algorithm = 'sliding-log' | 'sliding-counter';

/** One limit applied to one identity: at most `limit` hits in any `windowMs`. */
export interface LimitSpec {
  /** Names the limit in headers and logs, e.g. "login" or "login-ip". */
  name: string;
  key: string;
  limit: number;
  windowMs: number;
  algorithm: Algorithm;
  /** Hits this request consumes; 0 only looks (and fits only where one more hit would). */
  cost: number;
}

export interface LimitState {
  name: string;
  limit: number;
  windowMs: number;
  remaining: number;
  /**
   * Milliseconds until the limit has room again: when refused, until the hit that blocks leaves the
   * window; otherwise until the whole quota is back (the newest counted hit has left; 0 with none).
   */
  resetMs: number;
}

export interface CheckOutcome {
  allowed: boolean;
  limits: LimitState[];
}

/** Evaluates all limits together: either every one records the hit, or none does. */
export interface RateLimitStore {
  check(specs: LimitSpec[], hashTag: string): Promise<CheckOutcome>;
  /** Gives back `cost` hits of each limit (the most recent ones), e.g. for a request that failed on our side. */
  refund(specs: LimitSpec[], hashTag: string): Promise<void>;
  /** Forgets every hit of these limits. */
  clear(specs: LimitSpec[], hashTag: string): Promise<void>;
}

/** The shapes the Next.js helpers pass between middleware, the limiter and the bridge. Edge-safe. */

/** What middleware knows of a request: its group, its client, and the session cookie if it sent one. */
export interface LimitCheck<G extends string = string> {
  group: G;
  ip: string;
  /** For limits counted per user: the Node side resolves it to the signed-in user. */
  sessionToken?: string;
}

export interface LimitDecision {
  allowed: boolean;
  /** 429 over a limit; 503 when the limiter's store failed and the group fails closed. */
  status: number;
  /** RateLimit, RateLimit-Policy and Retry-After header fields. */
  headers: Record<string, string>;
  retryAfterSeconds: number;
}

export type Decide<G extends string = string> = (check: LimitCheck<G>) => Promise<LimitDecision>;

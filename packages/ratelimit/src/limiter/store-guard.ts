/**
 * A circuit around the limiter's store, so the limiter fails open (or closed) only when the store is down,
 * never because our own process is busy. Every store call gets a deadline that measures the store's
 * answer, not our event loop (withIoDeadline: an answer already waiting on the socket is read first, and
 * the time our loop kept the timer waiting is granted again). The circuit opens on a connection error or
 * on `timeoutsToOpen` real timeouts in a row; while it is open, calls fail at once with StoreDownError,
 * except one probe every `probeIntervalMs`, whose success closes it. Edge-safe.
 */
import { DeadlineError, withIoDeadline } from './deadline.js';
import type { CheckOutcome, LimitSpec, RateLimitStore } from './types.js';

/** The circuit is open: the store is not asked. */
export class StoreDownError extends Error {
  override readonly name = 'StoreDownError';
}

export interface StoreGuardOptions {
  /** How long one store call may take, measured as above. @default 250 (ms) */
  timeoutMs?: number;
  /** Real timeouts in a row that open the circuit (a connection error opens it at once). @default 2 */
  timeoutsToOpen?: number;
  /** While open, how often one call is let through to probe the store. @default 1000 (ms) */
  probeIntervalMs?: number;
  /** The clock, in ms since the epoch. @default Date.now */
  now?: () => number;
  /** Told when the circuit opens (with why) and when it closes again. @default nothing is told */
  onChange?: (open: boolean, reason: string) => void;
}

export class StoreGuard implements RateLimitStore {
  readonly timeoutMs: number;
  private readonly timeoutsToOpen: number;
  private readonly probeIntervalMs: number;
  private readonly now: () => number;
  private readonly onChange: (open: boolean, reason: string) => void;
  private timeoutsInARow = 0;
  private openedAt: number | null = null;
  private lastProbeAt = 0;
  private probing = false;
  private lastErrorText: string | null = null;

  constructor(
    private readonly inner: RateLimitStore,
    options: StoreGuardOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 250;
    this.timeoutsToOpen = options.timeoutsToOpen ?? 2;
    this.probeIntervalMs = options.probeIntervalMs ?? 1_000;
    this.now = options.now ?? (() => Date.now());
    this.onChange = options.onChange ?? (() => {});
  }

  get isOpen(): boolean {
    return this.openedAt !== null;
  }

  health(): { open: boolean; since: number | null; lastError: string | null } {
    return { open: this.isOpen, since: this.openedAt, lastError: this.lastErrorText };
  }

  check(specs: LimitSpec[], hashTag: string): Promise<CheckOutcome> {
    return this.call(() => this.inner.check(specs, hashTag));
  }

  refund(specs: LimitSpec[], hashTag: string): Promise<void> {
    return this.call(() => this.inner.refund(specs, hashTag));
  }

  clear(specs: LimitSpec[], hashTag: string): Promise<void> {
    return this.call(() => this.inner.clear(specs, hashTag));
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    const probe = this.isOpen && !this.probing && this.now() - this.lastProbeAt >= this.probeIntervalMs;
    if (this.isOpen && !probe)
      throw new StoreDownError(`rate-limit store is down (${this.lastErrorText ?? 'unreachable'})`);
    if (probe) {
      this.probing = true;
      this.lastProbeAt = this.now();
    }
    try {
      const result = await withIoDeadline(
        work(),
        this.timeoutMs,
        `rate-limit store gave no answer within ${this.timeoutMs} ms`,
      );
      this.succeeded();
      return result;
    } catch (error) {
      this.failed(error);
      throw error;
    } finally {
      if (probe) this.probing = false;
    }
  }

  private succeeded() {
    this.timeoutsInARow = 0;
    if (this.openedAt === null) return;
    this.openedAt = null;
    this.lastErrorText = null;
    this.onChange(false, 'answered again');
  }

  private failed(error: unknown) {
    this.lastErrorText = error instanceof Error ? error.message : String(error);
    const isTimeout = error instanceof DeadlineError;
    if (isTimeout) this.timeoutsInARow++;
    if (this.openedAt !== null) return;
    if (!isTimeout || this.timeoutsInARow >= this.timeoutsToOpen) {
      this.openedAt = this.now();
      this.lastProbeAt = this.now();
      this.onChange(true, this.lastErrorText);
    }
  }
}

import { describe, expect, it } from 'vitest';
import { isRetryable, retryDelayMs } from '../src/index.js';

describe('the outbox retry schedule', () => {
  it('doubles from the base delay up to the cap', () => {
    const ceiling = (attempts: number) => retryDelayMs(attempts, 2_000, 3_600_000, () => 1);
    expect([1, 2, 3, 4].map(ceiling)).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(ceiling(30)).toBe(3_600_000);
  });

  it('jitters each delay between a tenth of it and all of it', () => {
    expect(retryDelayMs(3, 2_000, 3_600_000, () => 0)).toBe(800);
    const samples = Array.from({ length: 200 }, () => retryDelayMs(3, 2_000, 3_600_000));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(800);
    expect(Math.max(...samples)).toBeLessThanOrEqual(8_000);
    expect(new Set(samples).size).toBeGreaterThan(50);
  });

  it('retries throttling, 5xx, refused and reset connections, nothing else', () => {
    expect(isRetryable({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } })).toBe(true);
    expect(isRetryable({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isRetryable({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isRetryable({ code: 'ECONNRESET' })).toBe(true);
    expect(isRetryable({ code: 'EPIPE' })).toBe(true);
    // The network or DNS down for a while: nothing was sent, so it is retried.
    for (const code of ['EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ETIMEDOUT'])
      expect(isRetryable({ code }), code).toBe(true);
    // A host name that does not exist stays wrong: the email fails at once and says so.
    expect(isRetryable({ code: 'ENOTFOUND' })).toBe(false);
    expect(isRetryable({ name: 'MessageRejected', $metadata: { httpStatusCode: 400 } })).toBe(false);
    expect(isRetryable({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } })).toBe(false);
  });
});

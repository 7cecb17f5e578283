import { describe, expect, it } from 'vitest';
import { deliver, EmailSendError, isRetryable, MemoryDeliveryState, type EmailTransport, type OutgoingEmail } from '@/lib/email';

const email: OutgoingEmail = { from: 'a@zigznote.test', to: 'b@zigznote.test', subject: 's', html: '<p>h</p>', text: 'h' };
const noSleep = async () => {};

function recordingTransport(failures: unknown[]): EmailTransport & { sent: OutgoingEmail[]; attempts: number } {
  const transport = {
    name: 'recording',
    sent: [] as OutgoingEmail[],
    attempts: 0,
    async send(message: OutgoingEmail) {
      transport.attempts += 1;
      const failure = failures.shift();
      if (failure) throw failure;
      transport.sent.push(message);
      return { messageId: `m-${transport.attempts}` };
    },
  };
  return transport;
}

describe('delivery', () => {
  it('does not retry a permanent failure, and logs no address', async () => {
    const logs: string[] = [];
    const transport = recordingTransport([new EmailSendError('Email address is not verified: b@zigznote.test', 'MessageRejected', 400)]);
    const result = await deliver(email, { template: 'welcome', idempotencyKey: 'k1' }, { transport, state: new MemoryDeliveryState(), sendRate: 100, sleep: noSleep, log: (m) => logs.push(m) });
    expect(result).toEqual({ ok: false, status: 'failed', error: 'MessageRejected' });
    expect(transport.attempts).toBe(1);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('template=welcome');
    expect(logs[0]).not.toContain('b@zigznote.test');
  });

  it('gives up after its attempts, releasing the key so a later send may try again', async () => {
    const throttled = () => new EmailSendError('Maximum sending rate exceeded.', 'Throttling', 400);
    const state = new MemoryDeliveryState();
    const transport = recordingTransport([throttled(), throttled(), throttled()]);
    const result = await deliver(email, { template: 't', idempotencyKey: 'k2' }, { transport, state, sendRate: 100, maxAttempts: 3, sleep: noSleep, log: () => {} });
    expect(result.ok).toBe(false);
    expect(transport.attempts).toBe(3);
    expect(await state.claim('k2', 60)).toBe('claimed');
  });

  it('waits for the shared send rate instead of exceeding it', async () => {
    const waits: number[] = [];
    const state = new MemoryDeliveryState();
    const transport = recordingTransport([]);
    for (let i = 0; i < 4; i++) {
      await deliver(email, { template: 't', idempotencyKey: `rate-${i}` }, { transport, state, sendRate: 2, sleep: async (ms) => void waits.push(ms), log: () => {} });
    }
    expect(transport.sent).toHaveLength(4);
    expect(waits.length).toBeGreaterThanOrEqual(1);
  });

  it('skips suppressed addresses', async () => {
    const state = new MemoryDeliveryState();
    await state.suppress('B@zigznote.test', 'bounce');
    const transport = recordingTransport([]);
    expect(await deliver(email, { template: 't', idempotencyKey: 'k3' }, { transport, state, sendRate: 100 })).toEqual({ ok: false, status: 'suppressed' });
    expect(transport.attempts).toBe(0);
  });

  it('knows which errors are worth a retry', () => {
    expect(isRetryable(Object.assign(new Error('x'), { name: 'Throttling' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isRetryable(new EmailSendError('x', 'MessageRejected', 400))).toBe(false);
    expect(isRetryable(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toBe(false);
  });
});

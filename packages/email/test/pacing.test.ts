import { describe, expect, it } from 'vitest';
import { MemorySendRate, waitForSendSlot } from '../src/index.js';

// The outbox's pacing on an injected clock: the sleeps it asks for move the clock, nothing waits for real.
describe('pacing sends to the SES rate', () => {
  it("sends a burst of one second's budget at once, then one every 1/rate seconds: 20 emails at 5 per second wait 3 s in all", async () => {
    let now = 1_000_000;
    const rate = new MemorySendRate(() => now);
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    };
    const sentAt: number[] = [];
    for (let i = 0; i < 20; i++) {
      await waitForSendSlot({ rate, sendRate: 5 }, sleep);
      sentAt.push(now - 1_000_000);
    }
    expect(sentAt.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    const total = sleeps.reduce((sum, ms) => sum + ms, 0);
    expect(total).toBeGreaterThanOrEqual(3_000);
    expect(total).toBeLessThanOrEqual(3_000 + 15);
    // evenly spaced after the burst: 200 ms apart (each wait rounds up to the millisecond)
    for (let i = 5; i < 20; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(200);
    for (let i = 6; i < 20; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeLessThanOrEqual(201);
  });

  it('sends anyway, a little later, when the shared budget cannot be read', async () => {
    const sleeps: number[] = [];
    const broken = { takeToken: async () => Promise.reject(new Error('Redis is down')) };
    await waitForSendSlot({ rate: broken, sendRate: 4 }, async (ms) => void sleeps.push(ms));
    expect(sleeps).toEqual([250]);
  });
});

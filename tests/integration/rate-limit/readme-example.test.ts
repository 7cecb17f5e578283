import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { GET, limiter, redis } from '../../support/limiter-example';
import { awaitRoomInWindow } from '@/lib/runtime/timing';

// docs/rate-limits.md's "Use the limiter in your own app" example is this file, word for word: `tsc` (first step
// of npm test) compiles it, and this test runs it against the real Redis.
afterAll(async () => {
  await redis.quit();
});

describe("the rate-limit docs' limiter example", () => {
  it('is in docs/rate-limits.md exactly as the file that is compiled and run', () => {
    const example = readFileSync('tests/support/limiter-example.ts', 'utf8').trim();
    expect(readFileSync('docs/rate-limits.md', 'utf8')).toContain(example);
  });

  it(
    'lets 300 requests a minute through per client, then answers 429 with Retry-After, under its own key prefix',
    { timeout: 40_000 },
    async () => {
      // The api rule is a sliding counter over one-minute windows: start well inside one.
      await awaitRoomInWindow(10_000);
      const ip = `198.18.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
      const request = () => GET(new Request('http://localhost/api/things', { headers: { 'x-real-ip': ip } }));
      const statuses: number[] = [];
      for (let i = 0; i < 301; i++) statuses.push((await request()).status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(300);
      const refused = await request();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
      expect((await limiter.getRemaining({ group: 'api', ip })).remaining).toBe(0);
      expect(await redis.keys('myapp:rl:*')).not.toHaveLength(0);
    },
  );
});

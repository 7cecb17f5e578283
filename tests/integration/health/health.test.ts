import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@/lib/config';
import { closeDatabase } from '@/lib/db';
import { checkHealth } from '@/lib/health';
import { closeRedis } from '@/lib/redis';

afterAll(async () => {
  await closeRedis();
  await closeDatabase();
});

describe('health of the real services', () => {
  it('reports every service ok against the services the test command started', async () => {
    const report = await checkHealth(loadConfig(process.env));
    for (const [name, check] of Object.entries(report.checks)) {
      expect({ name, ok: check.ok, error: check.error }).toEqual({ name, ok: true, error: undefined });
      expect(check.latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect(report).toMatchObject({ status: 'ok', httpStatus: 200 });
  });

  it('answers 503 quickly, without leaking credentials, when storage is unreachable', async () => {
    const config = loadConfig({ ...process.env, MINIO_PORT: '1' });
    const started = performance.now();
    const report = await checkHealth(config);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(report).toMatchObject({ status: 'degraded', httpStatus: 503 });
    expect(report.checks.storage.ok).toBe(false);
    expect(report.checks.redis.ok).toBe(true);
    expect(JSON.stringify(report)).not.toContain(process.env.MINIO_SECRET_KEY);
  });

  it('stays 200 but degraded when only email is down', async () => {
    const config = loadConfig({ ...process.env, AWS_SES_ENDPOINT: 'http://127.0.0.1:1' });
    const report = await checkHealth(config);
    expect(report.checks.email.ok).toBe(false);
    expect(report.checks.email.required).toBe(false);
    expect(report).toMatchObject({ status: 'degraded', httpStatus: 200 });
  });
});

import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@/lib/config';
import { closeDatabase } from '@/lib/db';
import { checkHealth, clearHealthCache, presentsHealthToken } from '@/lib/health';
import { closeRedis } from '@/lib/redis';

beforeEach(() => clearHealthCache());

afterAll(async () => {
  await closeRedis();
  await closeDatabase();
});

describe('health of the real services', () => {
  it('reports every service ok against the services the test command started', async () => {
    const report = await checkHealth(loadConfig(process.env));
    // all four, by name: a check that went missing would otherwise pass this loop
    expect(Object.keys(report.checks).sort()).toEqual(['database', 'email', 'redis', 'storage']);
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

describe('health for monitors, not attackers', () => {
  it('reuses each check result for HEALTH_CACHE_SECONDS instead of probing the services on every hit', async () => {
    const broken = loadConfig({ ...process.env, MINIO_PORT: '1', HEALTH_CACHE_SECONDS: '60' });
    const healthy = loadConfig({ ...process.env, HEALTH_CACHE_SECONDS: '60' });
    expect((await checkHealth(broken)).checks.storage.ok).toBe(false);
    // within the cache life the storage result is reused, whatever the probe would find now
    const reused = await checkHealth(healthy);
    expect(reused.checks.storage.ok).toBe(false);
    clearHealthCache();
    expect((await checkHealth(healthy)).checks.storage.ok).toBe(true);
  });

  it('shares one run among concurrent probes', async () => {
    const config = loadConfig({ ...process.env, HEALTH_CACHE_SECONDS: '60' });
    const reports = await Promise.all(Array.from({ length: 50 }, () => checkHealth(config)));
    // every report carries the very same measured latencies: one probe answered all 50
    expect(new Set(reports.map((r) => JSON.stringify(r.checks))).size).toBe(1);
  });

  it('gives error detail only to a caller presenting HEALTH_TOKEN', () => {
    const token = 'a-health-token-of-32-characters!';
    expect(presentsHealthToken(`Bearer ${token}`, token)).toBe(true);
    expect(presentsHealthToken('Bearer wrong-token-wrong-token-xx', token)).toBe(false);
    expect(presentsHealthToken(null, token)).toBe(false);
    expect(presentsHealthToken(`Bearer ${token}`, undefined)).toBe(false);
  });
});

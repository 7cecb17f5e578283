import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@/lib/config';

const productionEnv = {
  NODE_ENV: 'production',
  NEXT_PUBLIC_APP_URL: 'https://app.example.com',
  DATABASE_URL: 'postgres://app:pw@db:5432/zigznote',
  REDIS_URL: 'redis://:pw@redis:6379',
  MINIO_ENDPOINT: 'minio',
  MINIO_PORT: '9000',
  MINIO_ACCESS_KEY: 'zigznote-app',
  MINIO_SECRET_KEY: 'a-long-random-secret',
  MINIO_PUBLIC_URL: 'https://files.example.com',
  AWS_SES_FROM_EMAIL: 'zigznote <no-reply@example.com>',
  NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration in development', () => {
  it('starts with no variables at all, using the stand-ins', () => {
    const config = loadConfig({});
    expect(config.isProduction).toBe(false);
    expect(config.redis).toEqual({ kind: 'memory' });
    expect(config.database).toEqual({ kind: 'pglite', dir: '.data/pglite' });
    expect(config.appUrl).toBe('http://localhost:3000');
  });

  it('parses the service variables users already have', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://localhost:6379',
      MINIO_ENDPOINT: 'minio.internal',
      MINIO_PORT: '9000',
      MINIO_USE_SSL: 'true',
      MINIO_PUBLIC_URL: 'https://files.example.com/',
      AWS_SES_REGION: 'eu-west-1',
      AWS_SES_ACCESS_KEY_ID: 'AKIA',
      AWS_SES_SECRET_ACCESS_KEY: 'secret',
      NEXT_PUBLIC_APP_URL: 'https://app.example.com/',
    });
    expect(config.redis).toEqual({ kind: 'redis', url: 'redis://localhost:6379' });
    expect(config.storage).toMatchObject({
      endPoint: 'minio.internal',
      port: 9000,
      useSSL: true,
      publicUrl: 'https://files.example.com',
    });
    expect(config.email).toMatchObject({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
    });
    expect(config.appUrl).toBe('https://app.example.com');
  });

  it('lists every invalid value in one error, each with how to fix it', () => {
    const problems = problemsOf({ MINIO_PORT: 'ninety', REDIS_URL: 'localhost:6379', MINIO_USE_SSL: 'yes' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/MINIO_PORT must be a port number/);
    expect(problems.join('\n')).toMatch(/REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(problems.join('\n')).toMatch(/MINIO_USE_SSL must be true or false/);
  });

  it('sends the new-device email unless NEW_DEVICE_EMAIL is false, and refuses a value that is neither', () => {
    expect(loadConfig({}).newDeviceEmail).toBe(true);
    expect(loadConfig({ NEW_DEVICE_EMAIL: '' }).newDeviceEmail).toBe(true);
    expect(loadConfig({ NEW_DEVICE_EMAIL: 'false' }).newDeviceEmail).toBe(false);
    expect(loadConfig({ NEW_DEVICE_EMAIL: '0' }).newDeviceEmail).toBe(false);
    expect(problemsOf({ NEW_DEVICE_EMAIL: 'off' })).toEqual([
      expect.stringMatching(/NEW_DEVICE_EMAIL must be true or false/),
    ]);
  });

  it('takes a backup schedule in cron (UTC) and a retention, and refuses a schedule cron cannot read', () => {
    expect(loadConfig({})).toMatchObject({
      backupSchedule: '17 3 * * *',
      backupRetention: { keepDaily: 7, keepWeekly: 4 },
      backupEncryptionKeyFile: undefined,
    });
    expect(loadConfig({ BACKUP_SCHEDULE: '@hourly', BACKUP_KEEP_WEEKLY: '0' })).toMatchObject({
      backupSchedule: '@hourly',
      backupRetention: { keepWeekly: 0 },
    });
    expect(problemsOf({ BACKUP_SCHEDULE: 'daily at 3', BACKUP_KEEP_DAILY: '0' })).toEqual([
      expect.stringMatching(/BACKUP_SCHEDULE must be a cron pattern in UTC/),
      expect.stringMatching(/BACKUP_KEEP_DAILY/),
    ]);
  });

  it('refuses half a pair of SES keys', () => {
    expect(problemsOf({ AWS_SES_ACCESS_KEY_ID: 'AKIA' })).toEqual([
      expect.stringMatching(/AWS_SES_ACCESS_KEY_ID and AWS_SES_SECRET_ACCESS_KEY go together/),
    ]);
  });
});

describe('configuration in production', () => {
  it('accepts a complete configuration', () => {
    const config = loadConfig(productionEnv);
    expect(config.isProduction).toBe(true);
    expect(config.database).toEqual({ kind: 'postgres', url: productionEnv.DATABASE_URL });
  });

  it('refuses every stand-in at once, naming each missing variable', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    for (const name of [
      'DATABASE_URL',
      'REDIS_URL',
      'MINIO_ENDPOINT',
      'MINIO_ACCESS_KEY',
      'MINIO_SECRET_KEY',
      'MINIO_PUBLIC_URL',
      'AWS_SES_FROM_EMAIL',
      'NEXT_SERVER_ACTIONS_ENCRYPTION_KEY',
    ]) {
      expect(problems.some((p) => p.startsWith(`${name} is required in production`))).toBe(true);
    }
  });

  it('refuses the default MinIO credentials', () => {
    const problems = problemsOf({ ...productionEnv, MINIO_ACCESS_KEY: 'minioadmin', MINIO_SECRET_KEY: 'minioadmin' });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/MINIO_ACCESS_KEY is a well-known default credential/);
  });

  it('puts the whole list in the error message users see', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', REDIS_URL: 'nope' })).toThrow(
      /Configuration is invalid \(\d+ problems\)/,
    );
  });

  it('takes only a base64 AES key for server actions', () => {
    for (const bad of ['not base64!', 'c2hvcnQ=', 'abcde']) {
      expect(problemsOf({ NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: bad }).join('\n')).toContain(
        'must be a base64 AES key of 16, 24 or 32 bytes',
      );
    }
    expect(problemsOf({ NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64') })).toEqual([]);
  });

  it('checks TRUSTED_PROXIES and the form of RATE_LIMITS when the app starts, not on the first request', () => {
    expect(problemsOf({ TRUSTED_PROXIES: '10.0.0.0/99' })).toContain(
      'TRUSTED_PROXIES "10.0.0.0/99" has an invalid prefix length',
    );
    expect(problemsOf({ RATE_LIMITS: 'login=five' }).join('\n')).toContain('must be name=limit/window pairs');
    expect(problemsOf({ RATE_LIMITS_SHADOW: 'login;api' }).join('\n')).toContain('must be rule names separated');
    // what the names mean is the limiter's table's: tests/unit/rate-limit checks rateLimitSettingProblems
    expect(problemsOf({ RATE_LIMITS: 'logn=5/15m', RATE_LIMITS_SHADOW: 'logn' })).toEqual([]);
  });
});

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// docker-compose (Debian's, installed by scripts/services) validates and interpolates the files without an
// engine: the same parser a deployment will run.
const secrets = {
  APP_URL: 'https://app.example.com',
  STORAGE_URL: 'https://files.example.com',
  POSTGRES_PASSWORD: 'p',
  REDIS_PASSWORD: 'r',
  MINIO_ROOT_USER: 'root',
  MINIO_ROOT_PASSWORD: 'root-password',
  STORAGE_APP_ACCESS_KEY: 'GK0123456789abcdef01234567',
  STORAGE_APP_SECRET_KEY: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  GARAGE_RPC_SECRET: 'fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210',
  GARAGE_ADMIN_TOKEN: 'garage-admin-token',
  MINIO_BACKUP_ACCESS_KEY: 'zigznote-backups',
  MINIO_BACKUP_SECRET_KEY: 'backup-secret-key',
  MINIO_PRUNE_ACCESS_KEY: 'zigznote-backups-prune',
  MINIO_PRUNE_SECRET_KEY: 'prune-secret-key',
  NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
  AWS_SES_REGION: 'eu-west-1',
  AWS_SES_FROM_EMAIL: 'zigznote <no-reply@example.com>',
  GLITCHTIP_SECRET_KEY: 'glitchtip-secret',
  GLITCHTIP_URL: 'https://errors.example.com',
};

function compose(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !(key in secrets)));
  return spawnSync('docker-compose', args, {
    cwd: 'docker',
    env: { ...clean, ...env } as NodeJS.ProcessEnv,
    encoding: 'utf8',
  });
}

describe('docker-compose config', () => {
  it('accepts the production file, GlitchTip profile included, when every secret is set', () => {
    const result = compose(
      ['-f', 'docker-compose.yml', '--profile', 'minio', '--profile', 'glitchtip', 'config', '-q'],
      secrets,
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it("refuses the garage profile without Garage's secrets, naming them", () => {
    const { GARAGE_RPC_SECRET: _missing, ...rest } = secrets;
    const result = compose(['-f', 'docker-compose.yml', '--profile', 'garage', 'config', '-q'], rest);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('set GARAGE_RPC_SECRET');
  });

  it('points the app at Garage when told to', () => {
    const result = compose(['-f', 'docker-compose.yml', '--profile', 'garage', 'config'], {
      ...secrets,
      STORAGE_BACKEND: 'garage',
      STORAGE_HOST: 'garage',
      STORAGE_PORT: '3900',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/STORAGE_BACKEND: garage/);
    expect(result.stdout).toMatch(/MINIO_ENDPOINT: garage/);
    expect(result.stdout).toMatch(/MINIO_PORT: '3900'/);
  });

  it('runs the backup job with the backup key and pruning with the prune key, on the same schedule', () => {
    const result = compose(['-f', 'docker-compose.yml', '--profile', 'minio', 'config'], {
      ...secrets,
      BACKUP_SCHEDULE: '0 */6 * * *',
    });
    expect(result.status, result.stderr).toBe(0);
    const services = parse(result.stdout).services as Record<
      string,
      { command: string[]; environment: Record<string, string>; build?: { target?: string } }
    >;
    expect(services.backup!.build!.target).toBe('backup');
    expect(services.backup!.command).toEqual(['backup', '--schedule']);
    expect(services['backup-prune']!.command).toEqual(['backup', '--prune', '--schedule']);
    expect(services.backup!.environment.MINIO_ACCESS_KEY).toBe('zigznote-backups');
    expect(services['backup-prune']!.environment.MINIO_ACCESS_KEY).toBe('zigznote-backups-prune');
    for (const name of ['backup', 'backup-prune']) {
      expect(services[name]!.environment.BACKUP_SCHEDULE, name).toBe('0 */6 * * *');
      expect(services[name]!.environment.DATABASE_URL, name).toBe('postgres://zigznote:p@postgres:5432/zigznote');
    }
  });

  it('refuses the production file when a secret is missing, naming it', () => {
    const { REDIS_PASSWORD: _missing, ...rest } = secrets;
    const result = compose(['-f', 'docker-compose.yml', 'config', '-q'], rest);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('set REDIS_PASSWORD');
  });

  it('accepts the development file with no configuration', () => {
    const result = compose(['-f', 'docker-compose.dev.yml', 'config', '-q'], {});
    expect(result.status).toBe(0);
  });
});

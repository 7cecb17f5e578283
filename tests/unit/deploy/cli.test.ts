import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// scripts/deploy refuses what it cannot roll out before it touches Docker (no docker on its PATH here, so
// reaching for it would fail differently).
function deploy(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'lib/deploy/cli.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: '/nonexistent', ...env },
  });
}

describe('scripts/deploy', () => {
  it('refuses a deployment id nginx and Docker could not carry', () => {
    const run = deploy([], { DEPLOYMENT_ID: 'Release_1' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('DEPLOYMENT_ID must be 1-40 lowercase letters, digits or dashes, got "Release_1"');
  });

  it('refuses a replica count or skew window that is not a number it can use', () => {
    expect(deploy(['--replicas', '0'], { DEPLOYMENT_ID: 'r1' }).stderr).toContain('--replicas wants a whole number');
    expect(deploy([], { DEPLOYMENT_ID: 'r1', SKEW_WINDOW_MINUTES: 'soon' }).stderr).toContain(
      'SKEW_WINDOW_MINUTES wants minutes',
    );
  });
});

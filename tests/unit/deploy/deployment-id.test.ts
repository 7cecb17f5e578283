import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Loads next.config.mjs as `next build` does, with DEPLOYMENT_ID set to `id`. */
function loadNextConfig(id: string) {
  return spawnSync(
    process.execPath,
    ['-e', 'import("./next.config.mjs").then((m) => console.log(m.default.deploymentId))'],
    {
      encoding: 'utf8',
      env: { ...process.env, DEPLOYMENT_ID: id },
    },
  );
}

describe('a build names itself (DEPLOYMENT_ID, checked by the same pattern as scripts/deploy)', () => {
  it('takes a good id as Next’s deploymentId', () => {
    const run = loadNextConfig('20261205t1600-abc123');
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('20261205t1600-abc123');
  });

  it.each(['Release_1', '-leading-dash', 'a'.repeat(41), 'build;rm'])('stops the build at "%s" with the rule', (id) => {
    const run = loadNextConfig(id);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`DEPLOYMENT_ID must be 1-40 lowercase letters, digits or dashes, got "${id}"`);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { balancerConfig } from '@/lib/deploy';
import { loopbackNginxConfig } from '../../support/nginx';

/** nginx -t on the shipped nginx.conf including `live` (Debian's nginx predates `resolve`, so no names here). */
function nginxAccepts(live: string) {
  const dir = mkdtempSync(join(tmpdir(), 'zz-live-'));
  const config = loopbackNginxConfig(dir);
  writeFileSync(join(dir, 'nginx.conf'), config);
  writeFileSync(join(dir, 'live.conf'), live);
  return spawnSync('nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
}

describe('the balancer part a rollout rewrites', () => {
  it('is the file the compose stack starts from when nothing was rolled out yet: everything to the app service', () => {
    expect(readFileSync('docker/nginx/live.conf', 'utf8')).toBe(balancerConfig([{ id: 'app', servers: ['app:3000'] }]));
  });

  it('sends each running build its own requests and everything else to the newest, in a config nginx accepts', () => {
    const live = balancerConfig([
      { id: 'b2', servers: ['127.0.0.1:4002', '127.0.0.1:4003'] },
      { id: 'b1', servers: ['127.0.0.1:4001'] },
    ]);
    expect(live).toContain('default build_b2;');
    expect(live).toMatch(/^ {2}b1 build_b1;$/m);
    expect(live).toMatch(/upstream build_b2 \{\n {2}server 127\.0\.0\.1:4002 max_fails/);
    const tested = nginxAccepts(live);
    expect(tested.status, tested.stderr).toBe(0);
  });

  it('looks names up again while running (compose replicas come and go), which needs a shared zone', () => {
    const live = balancerConfig([{ id: '20261205-abc', servers: ['app-20261205-abc:3000'] }]);
    expect(live).toContain('zone build_20261205_abc 64k;');
    expect(live).toContain('server app-20261205-abc:3000 resolve');
  });

  it('refuses what would make a broken or hijackable config', () => {
    expect(() => balancerConfig([])).toThrow(/at least one/);
    expect(() => balancerConfig([{ id: 'x; include /etc/passwd', servers: ['a:1'] }])).toThrow(/not a deployment id/);
    expect(() => balancerConfig([{ id: 'B1', servers: ['a:1'] }])).toThrow(/not a deployment id/);
    expect(() => balancerConfig([{ id: 'b1', servers: [] }])).toThrow(/no replica/);
    expect(() =>
      balancerConfig([
        { id: 'b1', servers: ['a:1'] },
        { id: 'b1', servers: ['b:1'] },
      ]),
    ).toThrow(/twice/);
  });
});

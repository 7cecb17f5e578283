import { describe, expect, it } from 'vitest';
import { rollOut, type DeployPlatform, type Replica } from '@/lib/deploy';

/** Records what the procedure asks of a platform, in order; replicas are plain records. */
function recordingPlatform(initial: Replica[], { neverReady = new Set<number>() } = {}) {
  const events: string[] = [];
  const running = [...initial];
  let started = 0;
  const platform: DeployPlatform = {
    running: async () => [...running],
    async startReplica(build) {
      started += 1;
      const replica = { build, address: `new-${started}:3000` };
      running.push(replica);
      events.push(`start ${replica.address}`);
      return replica;
    },
    async waitReady(replica) {
      if (neverReady.has(Number(replica.address.match(/\d+/)![0])))
        throw new Error(`${replica.address} never got ready`);
      events.push(`ready ${replica.address}`);
    },
    async retire(replica) {
      running.splice(running.indexOf(replica), 1);
      events.push(`retire ${replica.address}`);
    },
    async applyBalancerConfig(config) {
      const routes = [...config.matchAll(/^ {2}(\S+) build_\S+;$/gm)]
        .map((match) => match[1])
        .filter((id) => id !== 'default');
      events.push(`balancer ${config.match(/default (\S+);/)![1]} [${routes.join(' ')}]`);
    },
  };
  return { platform, events, running };
}

const old = [
  { build: 'b1', address: 'old-1:3000' },
  { build: 'b1', address: 'old-2:3000' },
];

describe('a rollout', () => {
  it('starts the new replicas one at a time, switches, keeps the old build through the window, then drains it', async () => {
    const { platform, events, running } = recordingPlatform(old);
    await rollOut(platform, {
      build: 'b2',
      replicas: 2,
      skewWindow: async () => void events.push('window'),
      log: () => {},
    });
    expect(events).toEqual([
      'start new-1:3000',
      'ready new-1:3000',
      'start new-2:3000',
      'ready new-2:3000',
      'balancer build_b2 [b2 b1]',
      'window',
      'balancer build_b2 [b2]',
      'retire old-1:3000',
      'retire old-2:3000',
    ]);
    expect(running.map((replica) => replica.build)).toEqual(['b2', 'b2']);
  });

  it('stops before the balancer changes when a new replica never gets ready, and retires what it started', async () => {
    const { platform, events, running } = recordingPlatform(old, { neverReady: new Set([2]) });
    await expect(
      rollOut(platform, { build: 'b2', replicas: 2, skewWindow: async () => {}, log: () => {} }),
    ).rejects.toThrow(/never got ready/);
    expect(events).toEqual([
      'start new-1:3000',
      'ready new-1:3000',
      'start new-2:3000',
      'retire new-1:3000',
      'retire new-2:3000',
    ]);
    expect(running).toEqual(old);
  });

  it('refuses a build that is already running (its replicas would be drained as the old one)', async () => {
    const { platform, events } = recordingPlatform(old);
    await expect(rollOut(platform, { build: 'b1', replicas: 2, skewWindow: async () => {} })).rejects.toThrow(
      /already running/,
    );
    expect(events).toEqual([]);
  });
});

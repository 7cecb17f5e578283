// Throwaway redis-server processes on loopback for tests that stop, restart or cluster Redis, so the
// shared server the test command started is never disturbed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisProcess {
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (data) => {
      socket.destroy();
      // a server with requirepass answers NOAUTH: it is up all the same
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startRedisServer(
  port: number,
  extraArgs: string[] = [],
  configFile?: string,
): Promise<RedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'zz-redis-'));
  const args = configFile
    ? [configFile, '--sentinel']
    : ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs];
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Sentinel (quorum 1) on loopback watching the primary on `primaryPort` under `name`. */
async function startSentinel(name: string, primaryPort: number, settings: string[]): Promise<RedisProcess> {
  const sentinelPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'zz-sentinel-'));
  const configFile = join(dir, 'sentinel.conf');
  const lines = [
    `port ${sentinelPort}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 1`,
    ...settings,
  ];
  writeFileSync(configFile, lines.join('\n') + '\n');
  return startRedisServer(sentinelPort, [], configFile);
}

/** A primary and one Sentinel watching it under `name`. */
export async function startRedisWithSentinel(
  name: string,
): Promise<{ primary: RedisProcess; sentinel: RedisProcess; stop(): Promise<void> }> {
  const primary = await startRedisServer(await freePort());
  const sentinel = await startSentinel(name, primary.port, [`sentinel down-after-milliseconds ${name} 5000`]);
  return { primary, sentinel, stop: async () => void (await Promise.all([sentinel.stop(), primary.stop()])) };
}

/** A cluster of `masters` masters and no replicas, made with redis-cli --cluster create. */
export async function startRedisCluster(
  masters = 3,
  password?: string,
): Promise<{ nodes: RedisProcess[]; stop(): Promise<void> }> {
  const auth = password ? ['--requirepass', password, '--masterauth', password] : [];
  const cliAuth = password ? ['-a', password, '--no-auth-warning'] : [];
  const nodes: RedisProcess[] = [];
  for (let i = 0; i < masters; i++) {
    const port = await freePort();
    nodes.push(
      await startRedisServer(port, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        '2000',
        ...auth,
      ]),
    );
  }
  const created = spawnSync(
    'redis-cli',
    [
      ...cliAuth,
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  // wait until every node agrees the cluster is up
  const deadline = Date.now() + 15_000;
  for (const node of nodes) {
    for (;;) {
      const info = spawnSync('redis-cli', [...cliAuth, '-p', String(node.port), 'cluster', 'info'], {
        encoding: 'utf8',
      });
      if (info.stdout.includes('cluster_state:ok')) break;
      if (Date.now() > deadline) throw new Error('cluster did not become ok');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { nodes, stop: async () => void (await Promise.all(nodes.map((n) => n.stop()))) };
}

/**
 * A primary with a password, one replica and one Sentinel (quorum 1) that fails over quickly: what a
 * production Sentinel deployment looks like, small. `failover()` asks the Sentinel to promote the replica.
 */
export async function startSentinelGroup(name: string, password: string) {
  const auth = ['--requirepass', password, '--masterauth', password];
  const primary = await startRedisServer(await freePort(), auth);
  const replica = await startRedisServer(await freePort(), [...auth, '--replicaof', '127.0.0.1', String(primary.port)]);
  const sentinel = await startSentinel(name, primary.port, [
    `sentinel auth-pass ${name} ${password}`,
    `sentinel down-after-milliseconds ${name} 1000`,
    `sentinel failover-timeout ${name} 5000`,
  ]);
  const cli = (...args: string[]) =>
    spawnSync('redis-cli', ['-p', String(sentinel.port), ...args], { encoding: 'utf8' });
  // the replica is in sync and known to the Sentinel before anyone fails over
  const deadline = Date.now() + 20_000;
  const replicasSeen = () => {
    const fields = cli('sentinel', 'master', name)
      .stdout.split('\n')
      .map((line) => line.trim());
    return fields[fields.indexOf('num-slaves') + 1] === '1';
  };
  while (!replicasSeen()) {
    if (Date.now() > deadline) throw new Error('the Sentinel never saw the replica');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    primary,
    replica,
    sentinel,
    /** The address the Sentinel currently names as primary. */
    primaryPort: () => Number(cli('sentinel', 'get-master-addr-by-name', name).stdout.trim().split('\n')[1]),
    failover: () => cli('sentinel', 'failover', name),
    stop: async () => void (await Promise.all([sentinel.stop(), replica.stop(), primary.stop()])),
  };
}

import { balancerConfig, type RunningBuild } from './balancer-config';

/** One running app process (a container, or a local server in the rollout test). */
export interface Replica {
  /** The DEPLOYMENT_ID of the build it runs. */
  build: string;
  /** How the balancer reaches it: `host:port`. */
  address: string;
}

/** Where replicas run: compose (lib/deploy/compose.ts) or the processes of the rollout test. */
export interface DeployPlatform<R extends Replica = Replica> {
  /** Every replica running now. */
  running(): Promise<R[]>;
  /** Starts one more replica of `build` and answers once it runs (not yet once it is ready). */
  startReplica(build: string): Promise<R>;
  /** Resolves once the replica's health check passes; rejects when it does not in time. */
  waitReady(replica: R): Promise<void>;
  /** SIGTERM and wait for its exit: it drains (requests in flight finish, claimed emails go back). */
  retire(replica: R): Promise<void>;
  /** Checks `config` and makes it the balancer's, reloading without dropping a connection. */
  applyBalancerConfig(config: string): Promise<void>;
}

export interface RolloutOptions {
  /** The DEPLOYMENT_ID of the build to roll out (already built). */
  build: string;
  /** How many replicas of it to start, one at a time. */
  replicas: number;
  /** Resolves when the previous builds may go: pages they rendered have had their skew window. */
  skewWindow: () => Promise<void>;
  log?: (message: string) => void;
}

function runningBuilds(newest: string, replicas: Replica[]): RunningBuild[] {
  const order = [newest, ...new Set(replicas.map((replica) => replica.build).filter((build) => build !== newest))];
  return order.map((id) => ({
    id,
    servers: replicas.filter((replica) => replica.build === id).map((replica) => replica.address),
  }));
}

/**
 * A rolling update that breaks nobody: the new build's replicas start one at a time and each must be ready
 * before the next; then the balancer sends new visitors to the new build while every page the old builds
 * rendered keeps reaching them (their server actions, scripts and navigations name their build); after the
 * skew window the old builds leave the balancer (their pages reload into the new build on their next
 * request) and their replicas drain one at a time. A replica that never gets ready stops the rollout
 * before the balancer changes: the new replicas started so far are retired and the old builds serve on.
 */
export async function rollOut<R extends Replica>(platform: DeployPlatform<R>, options: RolloutOptions): Promise<void> {
  const log = options.log ?? ((message: string) => console.log(message));
  const previous = await platform.running();
  if (previous.some((replica) => replica.build === options.build)) {
    throw new Error(`build ${options.build} is already running: give each build its own DEPLOYMENT_ID`);
  }
  const started: R[] = [];
  try {
    for (let i = 0; i < options.replicas; i++) {
      const replica = await platform.startReplica(options.build);
      started.push(replica);
      await platform.waitReady(replica);
      log(`replica ${i + 1}/${options.replicas} of ${options.build} is ready (${replica.address})`);
    }
  } catch (error) {
    log(`rollout of ${options.build} stopped: ${(error as Error).message}; retiring its replicas`);
    for (const replica of started) await platform.retire(replica);
    throw error;
  }
  await platform.applyBalancerConfig(balancerConfig(runningBuilds(options.build, [...started, ...previous])));
  const old = [...new Set(previous.map((replica) => replica.build))];
  log(`${options.build} answers new visitors; ${old.join(', ') || 'no older build'} stays reachable for its pages`);
  await options.skewWindow();
  await platform.applyBalancerConfig(balancerConfig(runningBuilds(options.build, started)));
  for (const replica of previous) {
    await platform.retire(replica);
    log(`retired ${replica.address} (${replica.build})`);
  }
  log(`rolled out ${options.build}`);
}

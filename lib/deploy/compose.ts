import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { DeployPlatform, Replica } from './rollout';

const run = promisify(execFile);

/** The label docker/Dockerfile puts on the app image: the build's DEPLOYMENT_ID. */
export const DEPLOYMENT_LABEL = 'org.zigznote.deployment-id';
/** What a replica built without DEPLOYMENT_ID is called (the compose file's alias says the same). */
export const UNNAMED_BUILD = 'unnamed';

export interface ComposeReplica extends Replica {
  container: string;
}

export interface ComposeOptions {
  /** `docker compose` arguments naming the project: `-f docker/docker-compose.yml --env-file .env`. */
  composeArgs: string[];
  /** The app service's name. @default 'app' */
  service?: string;
  /** The balancer service's name. @default 'balancer' */
  balancer?: string;
  /** How long a replica may take to report healthy. @default 180_000 */
  readyTimeoutMs?: number;
  /** Seconds `docker stop` waits for a drain before SIGKILL (the app's grace plus a margin). @default 35 */
  stopTimeoutSeconds?: number;
}

let composeCommand: Promise<[string, ...string[]]> | undefined;
/** `docker compose` (v2), or compose v1's `docker-compose` where the plugin is missing. */
function composeBinary(): Promise<[string, ...string[]]> {
  return (composeCommand ??= run('docker', ['compose', 'version']).then(
    () => ['docker', 'compose'],
    () => ['docker-compose'],
  ));
}

/** Runs compose with `args`, resolving with what it printed. */
export async function compose(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const [command, ...prefix] = await composeBinary();
  return (await run(command, [...prefix, ...args], { env, maxBuffer: 16 << 20 })).stdout;
}

async function docker(args: string[]): Promise<string> {
  return (await run('docker', args, { maxBuffer: 16 << 20 })).stdout.trim();
}

/** Replicas are compose containers of the app service; each build is reachable by its alias `app-<id>`. */
export function composePlatform(options: ComposeOptions): DeployPlatform<ComposeReplica> {
  const service = options.service ?? 'app';
  const balancer = options.balancer ?? 'balancer';
  const containers = async () =>
    (await compose([...options.composeArgs, 'ps', '-q', service])).split('\n').filter(Boolean);
  const describe = async (container: string): Promise<ComposeReplica> => {
    const build =
      (await docker(['inspect', '-f', `{{index .Config.Labels "${DEPLOYMENT_LABEL}"}}`, container])) || UNNAMED_BUILD;
    return { container, build, address: `${service}-${build}:3000` };
  };
  return {
    async running() {
      return Promise.all((await containers()).map(describe));
    },
    async startReplica(build) {
      const before = new Set(await containers());
      // --no-recreate: the running replicas keep their build; only the new container gets this one.
      await compose(
        [
          ...options.composeArgs,
          'up',
          '-d',
          '--no-deps',
          '--no-recreate',
          '--scale',
          `${service}=${before.size + 1}`,
          service,
        ],
        { ...process.env, DEPLOYMENT_ID: build },
      );
      const created = (await containers()).find((container) => !before.has(container));
      if (!created) throw new Error(`compose started no new ${service} container`);
      const replica = await describe(created);
      if (replica.build !== build)
        throw new Error(`the new container runs build ${replica.build}, not ${build}: build it first`);
      return replica;
    },
    async waitReady(replica) {
      const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
      for (;;) {
        const health = await docker(['inspect', '-f', '{{.State.Health.Status}}', replica.container]);
        if (health === 'healthy') return;
        if (Date.now() > deadline) throw new Error(`${replica.container} is still ${health}`);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    },
    async retire(replica) {
      await docker(['stop', '-t', String(options.stopTimeoutSeconds ?? 35), replica.container]);
      await docker(['rm', replica.container]);
    },
    async applyBalancerConfig(config) {
      // Checked before it replaces the running file; a config nginx refuses leaves the old one in place.
      const script = [
        'set -e',
        'cd /etc/nginx/deployments',
        'cat > live.conf.next',
        'cp live.conf live.conf.previous',
        'mv live.conf.next live.conf',
        'nginx -t -q || { mv live.conf.previous live.conf; exit 1; }',
        'nginx -s reload',
      ].join('; ');
      const [command, ...prefix] = await composeBinary();
      const child = spawn(command, [...prefix, ...options.composeArgs, 'exec', '-T', balancer, 'sh', '-c', script], {
        stdio: ['pipe', 'inherit', 'inherit'],
      });
      child.stdin.end(config);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      if (code !== 0) throw new Error(`the balancer refused the new configuration (exit ${code})`);
    },
  };
}

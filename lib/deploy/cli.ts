/**
 * `scripts/deploy`: builds the app image with a new DEPLOYMENT_ID and rolls it out on the compose stack
 * (lib/deploy/rollout.ts): new replicas one at a time, the balancer switched, the old build kept reachable
 * for SKEW_WINDOW_MINUTES, then drained. Reads the deployment's environment (the compose env file).
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { deploymentIdProblem } from './deployment-id.mjs';
import { compose, composePlatform } from './compose';
import { rollOut } from './rollout';

const { values } = parseArgs({
  options: {
    'env-file': { type: 'string', default: '.env' },
    replicas: { type: 'string', default: '2' },
    'skip-build': { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  console.error(`scripts/deploy: ${message}`);
  process.exit(1);
}

function newDeploymentId(): string {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 12);
  let commit = 'nogit';
  try {
    commit = execFileSync('git', ['rev-parse', '--short=8', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // a copy without git history: the time alone names the build
  }
  return `${stamp}-${commit}`;
}

const build = process.env.DEPLOYMENT_ID || newDeploymentId();
const buildProblem = deploymentIdProblem(build);
if (buildProblem) fail(buildProblem);
const replicas = Number(values.replicas);
if (!Number.isInteger(replicas) || replicas < 1) fail(`--replicas wants a whole number ≥ 1, got "${values.replicas}"`);
const windowMinutes = Number(process.env.SKEW_WINDOW_MINUTES || 30);
if (!Number.isFinite(windowMinutes) || windowMinutes < 0) fail(`SKEW_WINDOW_MINUTES wants minutes ≥ 0`);

const composeArgs = ['-f', 'docker/docker-compose.yml', '--env-file', values['env-file']];
if (!values['skip-build']) {
  console.log(`building ${build}`);
  await compose([...composeArgs, 'build', 'app'], { ...process.env, DEPLOYMENT_ID: build }).catch((error: Error) =>
    fail(`the image did not build: ${error.message}`),
  );
}
await rollOut(composePlatform({ composeArgs }), {
  build,
  replicas,
  skewWindow: async () => {
    console.log(`keeping the previous build reachable for ${windowMinutes} min (SKEW_WINDOW_MINUTES)`);
    await new Promise((resolve) => setTimeout(resolve, windowMinutes * 60_000));
  },
}).catch((error: Error) => fail(error.message));

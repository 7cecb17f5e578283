// Servers the deployment tests start themselves: the standalone output as the image runs it
// (`node server.js`, assembled by `npm run build`), or a build's `next start`, each with
// the environment a test gives it on top of the services `npm test` started.
import { expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';

export interface Started {
  url: string;
  stop(): Promise<void>;
  /** SIGKILL: the process dies at once, as a crash or an OOM kill does, with no chance to finish anything. */
  kill(): Promise<void>;
  /** SIGTERM and nothing else: resolves with the exit code once the process left by itself. */
  terminate(): Promise<number | null>;
  output(): string;
}

/** Up and answering: asked on the health route, which no limit counts, so every API budget starts full. */
export async function answers(origin: string): Promise<boolean> {
  const response = await fetch(`${origin}/api/health`).catch(() => null);
  return response !== null && response.status !== 502;
}

function supervise(child: ChildProcess, url: string): Started {
  let output = '';
  child.stdout!.on('data', (data) => (output += data));
  child.stderr!.on('data', (data) => (output += data));
  return {
    url,
    output: () => output,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    terminate: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      return exited;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      // A server that does not drain in 10 s (a request held by a service the test stopped) is killed, so a
      // failing test reports its own error instead of its timeout.
      const stuck = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(stuck);
    },
  };
}

/** Runs `command` as a production server on 127.0.0.1:`port` and waits until it answers. */
async function startServer(
  command: string,
  args: string[],
  port: number,
  options: { cwd?: string; env: Record<string, string>; label: string; timeoutMs?: number },
): Promise<Started> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      NEXT_PUBLIC_APP_URL: url,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = supervise(child, url);
  await expect
    .poll(() => answers(url), { timeout: options.timeoutMs ?? 30_000, message: `${options.label} on ${port}` })
    .toBe(true);
  return started;
}

/**
 * `npm run build` assembled .next/standalone; starting a server only reads it, as `npm start` does.
 * `dir` is another assembled build (the rollout test's next version).
 */
export function startStandalone(
  port: number,
  env: Record<string, string> = {},
  dir = '.next/standalone',
): Promise<Started> {
  return startServer('node', ['serve.mjs'], port, { cwd: dir, env, label: `standalone server in ${dir}` });
}

/** `npm start` (scripts/start.sh), as a user with several ports, PM2 or systemd units runs the build. */
export function startNpmStart(port: number, env: Record<string, string> = {}): Promise<Started> {
  return startServer('bash', ['scripts/start.sh'], port, { env, label: 'npm start' });
}

/** `next start` of a build directory (the Edge-middleware variant lives in .data/edge-app). */
export function startNextStart(cwd: string, port: number, env: Record<string, string> = {}): Promise<Started> {
  return startServer('node_modules/.bin/next', ['start', '-H', '127.0.0.1', '-p', String(port)], port, {
    cwd,
    env,
    label: `next start in ${cwd}`,
    timeoutMs: 60_000,
  });
}

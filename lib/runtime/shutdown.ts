/**
 * Draining on SIGTERM/SIGINT, when the server runs under serve.mjs (which hands over Next's HTTP servers and
 * turns Next's own handler off): /api/health answers 503 "draining" at once, new connections are refused
 * after a short pause, requests in flight finish within the grace period, then the closers run (outbox
 * worker, Redis, Postgres) and the process exits 0, or 1 when the grace ran out first. Under `next start`
 * or `next dev` nothing is installed and Next handles the signal. Node-only.
 */
import type { Server } from 'node:http';
import { processState } from './process-state';

const state = processState('shutdown', () => ({ draining: false, installed: false }));

export function isDraining(): boolean {
  return state.draining;
}

export interface ShutdownOptions {
  /** Requests in flight get this long, counted from the signal. */
  graceMs: number;
  /** New connections are still accepted this long, so a balancer polling health sees "draining" first. */
  stopAcceptingAfterMs: number;
  /** Run in order once no request is in flight (or the grace ran out). */
  closers: Array<{ name: string; close: () => Promise<void> }>;
  log?: (message: string) => void;
}

function handedOverServers(): Server[] | undefined {
  return (globalThis as { __zigznoteHttpServers?: Server[] }).__zigznoteHttpServers;
}

/** Installs the handler when serve.mjs started this process; answers whether it did. */
export function installGracefulShutdown(options: ShutdownOptions): boolean {
  const servers = handedOverServers();
  if (!servers || state.installed) return false;
  state.installed = true;
  const log = options.log ?? ((message: string) => console.log(message));
  const drain = async (signal: string) => {
    if (state.draining) return;
    state.draining = true;
    const started = Date.now();
    log(`[zigznote] ${signal}: draining (health says so); requests in flight get ${options.graceMs / 1000} s`);
    const timeLeft = () => Math.max(0, options.graceMs - (Date.now() - started));
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.stopAcceptingAfterMs, timeLeft())));
    const closed = Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          }),
      ),
    ).then(() => true);
    const inTime = await Promise.race([
      closed,
      new Promise<false>((resolve) => setTimeout(() => resolve(false), timeLeft()).unref()),
    ]);
    if (!inTime) {
      log(`[zigznote] requests still in flight after ${options.graceMs / 1000} s: closing them`);
      for (const server of servers) server.closeAllConnections();
    }
    for (const closer of options.closers) {
      // Each closer gets what is left of the grace, and at least a second: a service that is down must not hold the exit.
      const done = await Promise.race([
        closer.close().then(
          () => true,
          () => true,
        ),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), Math.max(1_000, timeLeft())).unref()),
      ]);
      if (!done) log(`[zigznote] ${closer.name} did not close in time`);
    }
    log(`[zigznote] stopped after ${Date.now() - started} ms`);
    process.exit(inTime ? 0 : 1);
  };
  process.once('SIGTERM', () => void drain('SIGTERM'));
  process.once('SIGINT', () => void drain('SIGINT'));
  return true;
}

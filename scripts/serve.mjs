// The production entry (`node serve.mjs` in .next/standalone, as the image and `npm start` run it): Next's
// standalone server.js, with Next's own SIGTERM handler turned off and its HTTP servers handed to the app,
// so lib/runtime/shutdown.ts can drain: say "draining" on /api/health, stop accepting, let requests in
// flight finish, stop the outbox worker, close Redis and Postgres, and exit 0.
import http from 'node:http';

const servers = [];
const createServer = http.createServer;
http.createServer = function captured(...args) {
  const server = createServer.apply(this, args);
  servers.push(server);
  return server;
};
globalThis.__zigznoteHttpServers = servers;
process.env.NEXT_MANUAL_SIG_HANDLE = 'true';
await import('./server.js');

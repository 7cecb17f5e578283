// Throwaway local SES endpoints (aws-ses-v2-local) on their own ports, so a test can stop and restart
// "SES" without touching the one the test command started; and a tiny HTTP endpoint that answers every
// send with a chosen SES error, for error paths the local endpoint cannot produce (it accepts everything).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from './redis-server';

export interface SesProcess {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health-check`, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

/** A local SES endpoint that can be stopped and started again on the same port. */
export async function localSesEndpoint(): Promise<SesProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const endpoint: SesProcess = {
    url,
    async start() {
      child = spawn('node_modules/.bin/aws-ses-v2-local', ['--host', '127.0.0.1', '--port', String(port)], {
        stdio: 'ignore',
      });
      const deadline = Date.now() + 15_000;
      while (!(await answers(url))) {
        if (Date.now() > deadline) throw new Error(`local SES endpoint on ${port} did not start`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
  await endpoint.start();
  return endpoint;
}

export async function storedTo(
  sesUrl: string,
  address: string,
): Promise<Array<{ subject: string; body: { text?: string } }>> {
  const response = await fetch(`${sesUrl}/store`);
  const { emails } = (await response.json()) as {
    emails: Array<{ destination: { to: string[] }; subject: string; body: { text?: string } }>;
  };
  return emails.filter((email) => email.destination.to.some((to) => to.toLowerCase() === address.toLowerCase()));
}

/** An endpoint answering every request with `status` and SES error `type`; counts what it received. */
export async function failingSesEndpoint(
  status: number,
  type: string,
): Promise<{ url: string; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      response.writeHead(status, {
        'Content-Type': 'application/json',
        'x-amzn-ErrorType': `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`,
      });
      response.end(JSON.stringify({ message: `${type} (test endpoint)` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface SesAccountJson {
  SendingEnabled: boolean;
  ProductionAccessEnabled: boolean;
  EnforcementStatus: string;
  SendQuota: { Max24HourSend: number; MaxSendRate: number; SentLast24Hours: number };
}

/**
 * SES's GetAccount (GET /v2/email/account) answered in SES's own JSON from `account`, or 404 (as the local
 * endpoint, which has no GetAccount, answers) when it is null; every other request is passed to the real
 * local SES endpoint, so mail still lands in its store.
 */
export async function sesAccountEndpoint(
  sesUrl: string,
): Promise<{ url: string; account: { current: SesAccountJson | null }; close(): Promise<void> }> {
  const account = { current: null as SesAccountJson | null };
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method === 'GET' && request.url === '/v2/email/account') {
      if (!account.current) {
        response.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"Not Found"}');
        return;
      }
      response.writeHead(200, { 'Content-Type': 'application/json', 'x-amzn-RequestId': 'test' }).end(
        JSON.stringify({
          DedicatedIpAutoWarmupEnabled: false,
          Details: {},
          SuppressionAttributes: { SuppressedReasons: [] },
          ...account.current,
        }),
      );
      return;
    }
    const upstream = await fetch(new URL(request.url ?? '/', sesUrl), {
      method: request.method,
      headers: Object.fromEntries(
        Object.entries(request.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name)),
      ) as Record<string, string>,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    response.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'application/json' });
    response.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    account,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

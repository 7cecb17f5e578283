// The threaded SES transport against the local SES endpoint (AWS_SES_ENDPOINT), and against a small local
// server answering in SES's own JSON for what the local endpoint never says: errors, and a send that hangs.
import { createMailbox } from '@zigznote/playwright-kit';
import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createThreadedSesTransport, isRetryable, THREAD_EXITED, type ThreadedSesTransport } from '../src/index.js';
import { blackHole } from './black-hole.js';
import { expectedSignature, parseAuthorization, type ReceivedRequest } from '../../../tests/support/sigv4.js';

const sesEndpoint = process.env.AWS_SES_ENDPOINT;
if (!sesEndpoint) throw new Error('the email package tests need AWS_SES_ENDPOINT (npm test sets them)');
const mailbox = createMailbox({ endpoint: sesEndpoint });
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let counter = 0;
const address = (label: string) => `thread-${label}-${Date.now().toString(36)}-${counter++}@pkg.zigznote.test`;
const email = (to: string, subject = 'From the thread') => ({
  from: 'app@pkg.zigznote.test',
  to,
  subject,
  html: `<p>${subject}</p>`,
  text: subject,
});

const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});

function transportTo(endpoint: string, sdkModule?: string): ThreadedSesTransport {
  const transport = createThreadedSesTransport({ region: 'us-east-1', endpoint, credentials, sdkModule });
  closing.push(() => transport.close());
  return transport;
}

/** A local SES v2 endpoint answering each SendEmail with `answer`, which may never answer. */
async function sesServer(answer: (request: IncomingMessage, response: ServerResponse) => void) {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => answer(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closing.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function sesError(response: ServerResponse, status: number, type: string) {
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'x-amzn-ErrorType': `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`,
  });
  response.end(JSON.stringify({ message: `${type} (test endpoint)` }));
}

describe('createThreadedSesTransport', () => {
  it('sends through its worker thread: every email arrives once, with the message id SES gave', async () => {
    const transport = transportTo(sesEndpoint);
    expect(transport.mode).toBe('starting');
    expect(await transport.start()).toBe('thread');
    const recipients = Array.from({ length: 6 }, (_, i) => address(`ok${i}`));
    const answers = await Promise.all(recipients.map((to) => transport.send(email(to))));
    expect(transport.mode).toBe('thread');
    expect(new Set(answers.map((answer) => answer.messageId)).size).toBe(6);
    for (const to of recipients) {
      const arrived = await mailbox.waitForEmail(to, { subject: 'From the thread' });
      expect(answers).toContainEqual({ messageId: arrived.messageId });
      expect(await mailbox.emailsTo(to)).toHaveLength(1);
    }
  });

  it('signs what it posts with AWS Signature Version 4, as checked by an independent computation', async () => {
    const received: ReceivedRequest[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const [path, query = ''] = (request.url ?? '').split('?');
        received.push({
          method: request.method ?? '',
          path: path!,
          query,
          headers: Object.fromEntries(
            Object.entries(request.headers).map(([name, value]) => [name, [value].flat().join(',')]),
          ),
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ MessageId: `signed-${received.length}` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closing.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
    const keys = { accessKeyId: 'AKIDTHREAD', secretAccessKey: 'thread-secret', sessionToken: 'session-token' };
    const transport = createThreadedSesTransport({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      credentials: keys,
    });
    closing.push(() => transport.close());
    const subject = 'Grüße from the thread 🎉';
    expect(await transport.send(email('signed@pkg.zigznote.test', subject))).toEqual({ messageId: 'signed-1' });
    expect(await transport.send(email('signed@pkg.zigznote.test', subject))).toEqual({ messageId: 'signed-2' });
    expect(transport.mode).toBe('thread');
    for (const request of received) {
      const auth = parseAuthorization(request.headers.authorization!);
      expect(auth).toMatchObject({ accessKeyId: keys.accessKeyId, region: 'eu-west-1', service: 'ses' });
      expect(auth.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token']));
      expect(request).toMatchObject({ method: 'POST', path: '/v2/email/outbound-emails' });
      expect(request.headers['x-amz-security-token']).toBe(keys.sessionToken);
      expect(request.headers['content-type']).toBe('application/json');
      expect(Number(request.headers['content-length'])).toBe(Buffer.byteLength(request.body));
      expect(auth.signature).toBe(expectedSignature(request, keys.secretAccessKey));
      expect(auth.signature).not.toBe(expectedSignature(request, 'another-secret'));
      expect(auth.signature).not.toBe(
        expectedSignature({ ...request, body: request.body.replace('signed@', 'other@') }, keys.secretAccessKey),
      );
      expect(JSON.parse(request.body)).toMatchObject({
        FromEmailAddress: 'app@pkg.zigznote.test',
        Destination: { ToAddresses: ['signed@pkg.zigznote.test'] },
        Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: subject } } } },
      });
    }
  });

  it('200 sends at once: each answered with its own message id, each posted once, at most 50 connections', async () => {
    const seen = new Map<string, number>();
    let open = 0;
    let mostOpen = 0;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const to = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Destination: { ToAddresses: string[] } })
          .Destination.ToAddresses[0]!;
        seen.set(to, (seen.get(to) ?? 0) + 1);
        // Answers out of order, as a loaded endpoint does.
        setTimeout(() => {
          response.writeHead(200, { 'Content-Type': 'application/json' });
          response.end(JSON.stringify({ MessageId: `id-for-${to}` }));
        }, Math.random() * 20);
      });
    });
    server.on('connection', (socket) => {
      mostOpen = Math.max(mostOpen, ++open);
      socket.once('close', () => open--);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closing.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
    const transport = transportTo(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const recipients = Array.from({ length: 200 }, (_, i) => `flood-${i}@pkg.zigznote.test`);
    const answers = await Promise.all(recipients.map((to) => transport.send(email(to))));
    expect(transport.mode).toBe('thread');
    expect(answers).toEqual(recipients.map((to) => ({ messageId: `id-for-${to}` })));
    expect([...seen.values()].every((times) => times === 1)).toBe(true);
    expect(seen.size).toBe(200);
    expect(mostOpen).toBeLessThanOrEqual(50);
    expect(mostOpen).toBeGreaterThan(1);
  });

  it('keeps SES errors as the SDK raised them, so the outbox retries throttling and 5xx only', async () => {
    let requests = 0;
    const endpoint = await sesServer((_request, response) => {
      const kind = requests++ % 3;
      if (kind === 0) sesError(response, 400, 'MessageRejected');
      else if (kind === 1) sesError(response, 429, 'TooManyRequestsException');
      else sesError(response, 500, 'InternalFailure');
    });
    const transport = transportTo(endpoint);
    const rejected = await transport.send(email(address('rejected'))).catch((error: unknown) => error);
    const throttled = await transport.send(email(address('throttled'))).catch((error: unknown) => error);
    const failed = await transport.send(email(address('failed'))).catch((error: unknown) => error);
    expect(transport.mode).toBe('thread');
    expect(rejected).toMatchObject({ name: 'MessageRejected', $metadata: { httpStatusCode: 400 } });
    expect(isRetryable(rejected)).toBe(false);
    expect(throttled).toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    expect(isRetryable(throttled)).toBe(true);
    expect(failed).toMatchObject({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
    expect(isRetryable(failed)).toBe(true);
    expect(rejected).toMatchObject({ message: 'MessageRejected (test endpoint)' });
  });

  it('an error answer that is not SES JSON (a proxy in between) still fails with its status: 502 retried, 403 not', async () => {
    let requests = 0;
    const endpoint = await sesServer((_request, response) => {
      response.writeHead(requests++ === 0 ? 502 : 403, { 'Content-Type': 'text/html' });
      response.end('<html><body>Bad gateway</body></html>');
    });
    const transport = transportTo(endpoint);
    const gateway = await transport.send(email(address('gateway'))).catch((error: unknown) => error);
    const forbidden = await transport.send(email(address('forbidden'))).catch((error: unknown) => error);
    expect(gateway).toMatchObject({ code: 'HTTP502', message: 'SES answered 502', $metadata: { httpStatusCode: 502 } });
    expect(isRetryable(gateway)).toBe(true);
    expect(forbidden).toMatchObject({ code: 'HTTP403', $metadata: { httpStatusCode: 403 } });
    expect(isRetryable(forbidden)).toBe(false);
  });

  it('where the thread cannot load the SDK, sends go on this thread instead and none is lost', async () => {
    const transport = transportTo(sesEndpoint, '/nonexistent/client-sesv2.js');
    expect(await transport.start()).toBe('inline');
    const recipients = [address('inline-a'), address('inline-b')];
    await Promise.all(recipients.map((to) => transport.send(email(to, 'Sent inline'))));
    expect(transport.mode).toBe('inline');
    for (const to of recipients) {
      await mailbox.waitForEmail(to, { subject: 'Sent inline' });
      expect(await mailbox.emailsTo(to)).toHaveLength(1);
    }
  });

  it('a connection the server resets fails the send as retryable, through the thread as inline', async () => {
    const endpoint = await sesServer((request) => request.socket.destroy());
    const transport = transportTo(endpoint);
    expect(await transport.start()).toBe('thread');
    const error = await transport.send(email(address('reset'))).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(isRetryable(error)).toBe(true);
  });

  it('with credentials a thread cannot be given (a provider function), sends go on this thread', async () => {
    const transport = createThreadedSesTransport({
      region: 'us-east-1',
      endpoint: sesEndpoint,
      credentials: (async () => credentials) as never,
    });
    closing.push(() => transport.close());
    expect(await transport.start()).toBe('inline');
    const to = address('provider');
    await transport.send(email(to, 'Signed with a provider'));
    await mailbox.waitForEmail(to, { subject: 'Signed with a provider' });
    expect(await mailbox.emailsTo(to)).toHaveLength(1);
  });

  it('an endpoint whose connections never open (packets dropped) fails as ConnectTimeout: retryable, nothing sent', async () => {
    const unreachable = await blackHole();
    closing.push(async () => unreachable.close());
    const transport = createThreadedSesTransport({
      region: 'us-east-1',
      endpoint: unreachable.url,
      credentials,
      connectTimeoutMs: 400,
    });
    closing.push(() => transport.close());
    expect(await transport.start()).toBe('thread');
    const started = performance.now();
    const error = await transport.send(email(address('unreachable'))).catch((failure: unknown) => failure);
    const waited = performance.now() - started;
    expect(error).toMatchObject({ code: 'ConnectTimeout', message: 'no connection to SES within 400 ms' });
    expect(isRetryable(error)).toBe(true);
    expect(waited).toBeGreaterThanOrEqual(350);
    expect(waited).toBeLessThan(5_000);
    expect(() => createThreadedSesTransport({ region: 'us-east-1', connectTimeoutMs: 0 })).toThrow(/positive/);
    // Sent inline through the SDK's client (the thread could not load it), the same failure reads the same.
    const inline = createThreadedSesTransport({
      region: 'us-east-1',
      endpoint: unreachable.url,
      credentials,
      connectTimeoutMs: 400,
      sdkModule: '/nonexistent/client-sesv2.js',
    });
    closing.push(() => inline.close());
    expect(await inline.start()).toBe('inline');
    const inlineStarted = performance.now();
    const inlineError = await inline.send(email(address('unreachable-inline'))).catch((failure: unknown) => failure);
    expect(inlineError).toMatchObject({ code: 'ConnectTimeout' });
    expect(isRetryable(inlineError)).toBe(true);
    expect(performance.now() - inlineStarted).toBeLessThan(5_000);
  });

  it('stopped with a send in its thread: that send fails as retryable, and the next one starts a new thread', async () => {
    let requests = 0;
    const endpoint = await sesServer((_request, response) => {
      // The first request hangs (SES never answered); later ones are accepted.
      if (++requests === 1) return;
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ MessageId: `accepted-${requests}` }));
    });
    const transport = transportTo(endpoint);
    const hanging = transport.send(email(address('hangs'))).catch((error: unknown) => error);
    await expect.poll(() => requests, { timeout: 10_000 }).toBe(1);
    await transport.close();
    const lost = await hanging;
    expect(lost).toMatchObject({ code: THREAD_EXITED });
    expect(isRetryable(lost)).toBe(true);
    expect(await transport.send(email(address('after')))).toEqual({ messageId: 'accepted-2' });
    expect(transport.mode).toBe('thread');
  });

  it('in a script started with --input-type=module (its threads read code as modules too), sends from the thread and exits once answered', async () => {
    const to = address('script');
    // The built package, as a script that installed it imports it; nothing else keeps its event loop busy.
    const script = `
      import { createThreadedSesTransport } from '@zigznote/email';
      const transport = createThreadedSesTransport({ region: 'us-east-1', endpoint: process.env.AWS_SES_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      const { messageId } = await transport.send({ from: 'app@pkg.zigznote.test', to: ${JSON.stringify(to)}, subject: 'From a script', html: '<p>x</p>', text: 'x' });
      console.log(transport.mode, messageId ? 'answered' : 'no id');
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: process.env,
      timeout: 30_000,
    });
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout.trim()).toBe('thread answered');
    await mailbox.waitForEmail(to, { subject: 'From a script' });
    expect(await mailbox.emailsTo(to)).toHaveLength(1);
  }, 40_000);

  it('refuses to be made without a region', () => {
    expect(() => createThreadedSesTransport({} as never)).toThrow(/needs a region/);
  });
});

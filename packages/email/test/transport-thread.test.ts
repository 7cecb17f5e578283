// The threaded SES transport against the local SES endpoint (AWS_SES_ENDPOINT), and against a small local
// server answering in SES's own JSON for what the local endpoint never says: errors, and a send that hangs.
import { createMailbox } from '@zigznote/playwright-kit';
import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createThreadedSesTransport, isRetryable, THREAD_EXITED, type ThreadedSesTransport } from '../src/index.js';

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

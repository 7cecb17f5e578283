import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '@/lib/config';
import {
  createEdgeTransport,
  createSesTransport,
  EmailSendError,
  isRetryable,
  renderEmail,
  type EmailTransport,
} from '@zigznote/email';
import {
  buildEmail,
  sendEmail,
  sendTemplateEmail,
  setMailer,
  startEmailOutbox,
  stopEmailOutbox,
  getEmailStatus,
} from '@/lib/email';
import { closeDatabase } from '@/lib/db';
import { closeRedis } from '@/lib/redis';
import { failingSesEndpoint } from '../../support/ses-endpoint';
import { emailsTo, linkIn, uniqueAddress, waitForEmails } from '../../support/ses-store';
import { expectedSignature, parseAuthorization, type ReceivedRequest } from '../../support/sigv4';

beforeAll(() => {
  startEmailOutbox({ pollMs: 100, overrides: { baseDelayMs: 50, maxDelayMs: 200 } });
});

afterAll(async () => {
  await stopEmailOutbox();
  await closeRedis();
  await closeDatabase();
});

describe('convenience functions send through the AWS SDK to the SES endpoint', () => {
  const appUrl = () => getConfig().appUrl;

  it('verify-email: sender, recipient, subject, both parts and the link', async () => {
    const to = uniqueAddress('verify');
    const result = await sendTemplateEmail('verify-email', to, { token: 'token-abc' });
    expect(result).toMatchObject({ ok: true, status: 'queued' });
    const [email, ...others] = await waitForEmails(to);
    expect(others).toHaveLength(0);
    expect(email!.from).toBe(getConfig().email.from);
    expect(email!.subject).toBe('Verify your email address');
    expect(email!.text).toMatch(/^Hello,$/m);
    expect(linkIn(email!.text, '/auth/verify-email?token=')).toBe(`${appUrl()}/auth/verify-email?token=token-abc`);
    expect(linkIn(email!.html, '/auth/verify-email?token=')).toBe(`${appUrl()}/auth/verify-email?token=token-abc`);
  });

  it('reset-password', async () => {
    const to = uniqueAddress('reset');
    expect((await sendTemplateEmail('reset-password', to, { name: 'Ada', token: 'token-def' })).ok).toBe(true);
    const [email] = await waitForEmails(to);
    expect(email!.subject).toBe('Reset your password');
    expect(linkIn(email!.text, '/auth/reset-password?token=')).toBe(`${appUrl()}/auth/reset-password?token=token-def`);
  });

  it('welcome, once per address', async () => {
    const to = uniqueAddress('welcome');
    expect(await sendTemplateEmail('welcome', to, { name: 'Ada' })).toMatchObject({ status: 'queued' });
    expect(await sendTemplateEmail('welcome', to, { name: 'Ada' })).toMatchObject({ status: 'duplicate' });
    const emails = await waitForEmails(to);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await emailsTo(to)).toHaveLength(1);
    expect(emails).toHaveLength(1);
    expect(emails[0]!.subject).toBe('Welcome to zigznote! 🎉');
    expect(emails[0]!.text).toMatch(/welcome, ada!/i);
  });

  it('password-changed', async () => {
    const to = uniqueAddress('changed');
    expect((await sendTemplateEmail('password-changed', to, { name: 'Ada' })).ok).toBe(true);
    const [email] = await waitForEmails(to);
    expect(email!.subject).toBe('Your password has been changed');
    expect(email!.text).toContain(`${appUrl()}/auth/forgot-password`);
  });

  it('account-exists', async () => {
    const to = uniqueAddress('exists');
    expect((await sendTemplateEmail('account-exists', to, { name: 'Ada' })).ok).toBe(true);
    const [email] = await waitForEmails(to);
    expect(email!.subject).toBe('You already have a zigznote account');
  });
});

describe('exactly once', () => {
  it('a transport that fails twice with throttling then succeeds sends exactly one email', async () => {
    const real = createSesTransport(getConfig().email);
    let calls = 0;
    const flaky: EmailTransport = {
      name: 'flaky',
      async send(email) {
        calls += 1;
        if (calls <= 2)
          throw Object.assign(new Error('Maximum sending rate exceeded.'), {
            name: 'Throttling',
            $metadata: { httpStatusCode: 400 },
          });
        return real.send(email);
      },
    };
    setMailer({ transport: flaky });
    try {
      const to = uniqueAddress('throttled');
      const queued = await sendTemplateEmail('verify-email', to, { token: 'tok' });
      expect(queued).toMatchObject({ ok: true, status: 'queued' });
      await waitForEmails(to);
      expect(calls).toBe(3);
      expect(await emailsTo(to)).toHaveLength(1);
      const id = (queued as { id: string }).id;
      for (let i = 0; i < 50 && (await getEmailStatus(id))?.status !== 'sent'; i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await getEmailStatus(id)).toMatchObject({ status: 'sent', attempts: 3 });
    } finally {
      setMailer({ transport: real });
    }
  });

  it('a double call with the same idempotency key sends one email, even at the same moment', async () => {
    const to = uniqueAddress('double');
    const { react, subject } = buildEmail('reset-password', getConfig().appUrl, { name: 'Ada', token: 'same' });
    const key = `double-${to}`;
    const results = await Promise.all([
      sendEmail({ to, subject, react, idempotencyKey: key }),
      sendEmail({ to, subject, react, idempotencyKey: key }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'queued']);
    await waitForEmails(to);
    // a later call gets the first email's id and its current state (recorded a moment after the send)
    const first = results.find((r) => r.status === 'queued') as { id: string };
    for (let i = 0; i < 50 && (await getEmailStatus(first.id))?.status !== 'sent'; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await sendEmail({ to, subject, react, idempotencyKey: key })).toMatchObject({
      status: 'duplicate',
      id: first.id,
      current: 'sent',
    });
    expect(await emailsTo(to)).toHaveLength(1);
  });

  it('the same key with different content is an error the caller sees, and sends nothing more', async () => {
    const to = uniqueAddress('conflict');
    const key = `conflict-${to}`;
    const one = buildEmail('reset-password', getConfig().appUrl, { name: 'Ada', token: 'first-token' });
    const other = buildEmail('reset-password', getConfig().appUrl, { name: 'Ada', token: 'second-token' });
    expect(await sendEmail({ to, subject: one.subject, react: one.react, idempotencyKey: key })).toMatchObject({
      ok: true,
      status: 'queued',
    });
    expect(await sendEmail({ to, subject: other.subject, react: other.react, idempotencyKey: key })).toMatchObject({
      ok: false,
      status: 'conflict',
    });
    const emails = await waitForEmails(to);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await emailsTo(to)).toHaveLength(1);
    expect(emails[0]!.text).toContain('first-token');
  });
});

describe('Edge transport (aws4fetch, SES v2)', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  let captured: ReceivedRequest | undefined;
  let server: ReturnType<typeof createServer>;
  let captureUrl: string;

  beforeAll(async () => {
    server = createServer(async (req: IncomingMessage, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      const [path, query = ''] = (req.url ?? '/').split('?');
      captured = {
        method: req.method ?? '',
        path: path!,
        query,
        headers: Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
        ),
        body,
      };
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ MessageId: 'captured-1' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    captureUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('signs its request with a valid AWS Signature Version 4, computed independently', async () => {
    const transport = createEdgeTransport({ region: 'eu-west-1', endpoint: captureUrl, ...credentials });
    const { html, text } = await renderEmail(buildEmail('welcome', 'https://app.example.com', { name: 'Ada' }).react);
    await transport.send({
      from: 'zigznote <no-reply@zigznote.test>',
      to: 'edge@zigznote.test',
      subject: 'Welcome to zigznote! 🎉',
      html,
      text,
    });
    expect(captured).toBeDefined();
    const auth = parseAuthorization(captured!.headers.authorization!);
    expect(auth).toMatchObject({ accessKeyId: credentials.accessKeyId, region: 'eu-west-1', service: 'ses' });
    expect(auth.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date']));
    expect(captured!.path).toBe('/v2/email/outbound-emails');
    expect(auth.signature).toBe(expectedSignature(captured!, credentials.secretAccessKey));
    // and a tampered body would not verify
    expect(auth.signature).not.toBe(
      expectedSignature({ ...captured!, body: captured!.body.replace('Ada', 'Eve') }, credentials.secretAccessKey),
    );
    expect(JSON.parse(captured!.body).Content.Simple.Subject.Data).toBe('Welcome to zigznote! 🎉');
  });

  it('delivers to the local SES endpoint, readable from its store', async () => {
    const transport = createEdgeTransport({
      region: 'us-east-1',
      endpoint: process.env.AWS_SES_ENDPOINT,
      ...credentials,
    });
    const to = uniqueAddress('edge');
    const { html, text } = await renderEmail(
      buildEmail('verify-email', 'https://app.example.com', { token: 'edge-token' }).react,
    );
    await transport.send({ from: 'no-reply@zigznote.test', to, subject: 'Verify your email address', html, text });
    const [email] = await emailsTo(to);
    expect(email!.subject).toBe('Verify your email address');
    expect(email!.from).toBe('no-reply@zigznote.test');
    expect(linkIn(email!.text, '/auth/verify-email?token=')).toBe(
      'https://app.example.com/auth/verify-email?token=edge-token',
    );
    expect(email!.html).toContain('Verify email address');
  });

  it("turns SES's error answers into typed errors: code, HTTP status, and whether to retry", async () => {
    for (const [status, type, retry] of [
      [429, 'TooManyRequestsException', true],
      [400, 'MessageRejected', false],
      [503, 'ServiceUnavailable', true],
    ] as const) {
      const endpoint = await failingSesEndpoint(status, type);
      try {
        const transport = createEdgeTransport({ region: 'us-east-1', endpoint: endpoint.url, ...credentials });
        const error = await transport.send({ from: 'a@b.c', to: 'd@e.f', subject: 's', html: 'h', text: 't' }).then(
          () => null,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(EmailSendError);
        expect(error).toMatchObject({ code: type, httpStatus: status, message: `${type} (test endpoint)` });
        expect(isRetryable(error), type).toBe(retry);
        expect(endpoint.received()).toBe(1);
      } finally {
        await endpoint.close();
      }
    }
  });
});

// The SES account as GetAccount tells it (answered in SES's own JSON by a local server, since the local SES
// endpoint has no GetAccount; every send still goes to the real local endpoint): the outbox paces itself to
// the account's rate, holds mail while the quota is spent or sending is paused and sends it once the
// account may send again, and health's email check and the log say what is wrong.
import { createElement } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSesTransport, deliverDueEmails, getSesAccount } from '@zigznote/email';
import { getConfig, loadConfig } from '@/lib/config';
import { closeDatabase } from '@/lib/db';
import { checkHealth, clearHealthCache } from '@/lib/health';
import {
  checkSesAccount,
  effectiveSendRate,
  getEmailStatus,
  outboxDeps,
  sendEmail,
  sendingHold,
  setMailer,
  stopSesAccountWatch,
} from '@/lib/email';
import { closeRedis } from '@/lib/redis';
import { uniqueEmail } from '../../support/auth-deps';
import { sesAccountEndpoint, storedTo, type SesAccountJson } from '../../support/ses-endpoint';

const sesUrl = process.env.AWS_SES_ENDPOINT!;
const healthy: SesAccountJson = {
  SendingEnabled: true,
  ProductionAccessEnabled: true,
  EnforcementStatus: 'HEALTHY',
  SendQuota: { Max24HourSend: 50_000, MaxSendRate: 40, SentLast24Hours: 120 },
};
let endpoint: Awaited<ReturnType<typeof sesAccountEndpoint>>;
let config: ReturnType<typeof loadConfig>;

beforeAll(async () => {
  endpoint = await sesAccountEndpoint(sesUrl);
  config = loadConfig({ ...process.env, AWS_SES_ENDPOINT: endpoint.url, EMAIL_SEND_RATE: '' });
  setMailer({ transport: createSesTransport(config.email) });
});

afterEach(() => vi.restoreAllMocks());

afterAll(async () => {
  endpoint.account.current = healthy;
  await checkSesAccount(config);
  stopSesAccountWatch();
  setMailer({ transport: createSesTransport(getConfig().email) });
  await endpoint.close();
  await closeRedis();
  await closeDatabase();
});

describe('the SES account', () => {
  it("reads GetAccount's JSON through the AWS SDK", async () => {
    endpoint.account.current = {
      ...healthy,
      ProductionAccessEnabled: false,
      SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 3 },
    };
    expect(await getSesAccount(config.email)).toEqual({
      sendingEnabled: true,
      productionAccess: false,
      enforcementStatus: 'HEALTHY',
      maxSendRate: 1,
      max24HourSend: 200,
      sentLast24Hours: 3,
    });
    endpoint.account.current = { ...healthy, SendQuota: { Max24HourSend: -1, MaxSendRate: 500, SentLast24Hours: 10 } };
    expect((await getSesAccount(config.email)).max24HourSend).toBe(Number.POSITIVE_INFINITY);
  });

  it('in the sandbox: paced to its 1 a second, said in the log and by health (degraded, not down), mail not held', async () => {
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
    endpoint.account.current = {
      ...healthy,
      ProductionAccessEnabled: false,
      SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 3 },
    };
    await checkSesAccount(config);
    expect(effectiveSendRate(config)).toBe(1);
    expect(sendingHold()).toBeNull();
    expect(warned.mock.calls.map((call) => String(call[0]))).toEqual([
      '[zigznote] email:    SES account: the SES account is in the sandbox: only verified addresses receive mail, 200 a day, 1 a second (request production access)',
    ]);
    clearHealthCache();
    const report = await checkHealth(config);
    expect(report.checks.email).toMatchObject({
      ok: false,
      error: expect.stringContaining('the SES account is in the sandbox'),
    });
    expect(report).toMatchObject({ status: 'degraded', httpStatus: 200 });
    // EMAIL_SEND_RATE only ever lowers the account's rate
    expect(effectiveSendRate(loadConfig({ ...process.env, EMAIL_SEND_RATE: '5' }))).toBe(1);
  });

  it('daily quota spent: mail is held, not failed, and sent once the quota frees up', { timeout: 30_000 }, async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    endpoint.account.current = {
      ...healthy,
      SendQuota: { Max24HourSend: 50_000, MaxSendRate: 40, SentLast24Hours: 50_000 },
    };
    await checkSesAccount(config);
    expect(sendingHold()).toBe(
      'the SES daily quota is spent (50000 of 50000 sent in the last 24 hours): mail waits until it frees up',
    );
    expect(effectiveSendRate(config)).toBe(40);

    const to = uniqueEmail('held');
    const queued = await sendEmail({
      to,
      subject: 'Held until the quota frees up',
      react: createElement('p', null, 'hello'),
      template: 'custom',
    });
    expect(queued.status).toBe('queued');
    const id = queued.status === 'queued' ? queued.id : '';
    expect(await deliverDueEmails(await outboxDeps())).toBe(0);
    expect(await getEmailStatus(id)).toMatchObject({ status: 'queued', attempts: 0 });
    clearHealthCache();
    expect((await checkHealth(config)).checks.email).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^mail held: the SES daily quota is spent/),
    });

    // SES down for the next check: the hold stays (mail is not let out into an account nobody could read)
    endpoint.account.current = null;
    await checkSesAccount(config);
    expect(sendingHold()).not.toBeNull();
    expect(effectiveSendRate(config)).toBe(14);

    endpoint.account.current = healthy;
    await checkSesAccount(config);
    expect(sendingHold()).toBeNull();
    const deps = await outboxDeps();
    expect(deps.sendRate).toBe(40);
    await deliverDueEmails(deps);
    expect(await getEmailStatus(id)).toMatchObject({ status: 'sent' });
    expect((await storedTo(sesUrl, to)).map((email) => email.subject)).toEqual(['Held until the quota frees up']);
  });

  it('sending paused: held, and production says so on stderr', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    endpoint.account.current = { ...healthy, SendingEnabled: false, EnforcementStatus: 'SHUTDOWN' };
    await checkSesAccount({ ...config, isProduction: true });
    expect(sendingHold()).toBe('sending is disabled for the SES account (enforcement status SHUTDOWN)');
    expect(errors.mock.calls.map((call) => String(call[0]))).toEqual([
      '[zigznote] email:    SES account: sending is disabled for the SES account (enforcement status SHUTDOWN)',
    ]);
    expect((await outboxDeps()).hold).toBe(sendingHold());
  });
});

import { describe, expect, it } from 'vitest';
import { assessSesAccount, deliverDueEmails, MemorySendRate, type Outbox, type SesAccount } from '../src/index.js';

const account: SesAccount = {
  sendingEnabled: true,
  productionAccess: true,
  enforcementStatus: 'HEALTHY',
  maxSendRate: 14,
  max24HourSend: 50_000,
  sentLast24Hours: 0,
};

describe('what the SES account means for sending', () => {
  it('sends without a word when out of the sandbox, healthy, with quota left', () => {
    expect(assessSesAccount(account)).toEqual({ hold: null, warnings: [] });
  });

  it('holds while sending is disabled or the daily quota is spent; warns at 90 % and in the sandbox', () => {
    expect(assessSesAccount({ ...account, sendingEnabled: false, enforcementStatus: 'SHUTDOWN' }).hold).toBe(
      'sending is disabled for the SES account (enforcement status SHUTDOWN)',
    );
    expect(assessSesAccount({ ...account, sentLast24Hours: 50_000 }).hold).toMatch(
      /^the SES daily quota is spent \(50000 of 50000/,
    );
    expect(assessSesAccount({ ...account, sentLast24Hours: 45_000 })).toEqual({
      hold: null,
      warnings: ['the SES daily quota is nearly spent (45000 of 50000 sent in the last 24 hours)'],
    });
    expect(assessSesAccount({ ...account, sentLast24Hours: 44_999 }).warnings).toEqual([]);
    expect(
      assessSesAccount({ ...account, productionAccess: false, max24HourSend: 200, maxSendRate: 1 }).warnings,
    ).toEqual([
      'the SES account is in the sandbox: only verified addresses receive mail, 200 a day, 1 a second (request production access)',
    ]);
    expect(assessSesAccount({ ...account, enforcementStatus: 'PROBATION' }).warnings).toEqual([
      'the SES account is under PROBATION: check bounces and complaints',
    ]);
    expect(assessSesAccount({ ...account, max24HourSend: Number.POSITIVE_INFINITY, sentLast24Hours: 10 ** 9 })).toEqual(
      { hold: null, warnings: [] },
    );
  });

  it('a held pass claims nothing: the rows stay queued for the next pass', async () => {
    const untouchable = new Proxy({} as Outbox, {
      get: (_, name) => {
        throw new Error(`a held pass used the outbox (${String(name)})`);
      },
    });
    const transport = { name: 'never', send: async () => Promise.reject(new Error('a held pass sent')) };
    expect(
      await deliverDueEmails({
        outbox: untouchable,
        transport,
        rate: new MemorySendRate(),
        sendRate: 14,
        hold: 'quota spent',
      }),
    ).toBe(0);
  });
});

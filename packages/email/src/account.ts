/**
 * What SES says about the account (SES v2 GetAccount): whether it may send, whether it left the sandbox,
 * its rate and daily quota and how much of that is spent. An account in the sandbox, with sending paused or
 * its quota spent accepts mail silently into nowhere or refuses it; reading this lets a sender say so, pace
 * itself to the real `MaxSendRate`, and hold mail (not fail it) until the quota frees up. Node-only.
 */
import { GetAccountCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { SesTransportOptions } from './transport-ses.js';

export interface SesAccount {
  sendingEnabled: boolean;
  /** false: the sandbox (verified recipients only, 200 a day, 1 a second). */
  productionAccess: boolean;
  /** HEALTHY, PROBATION or SHUTDOWN. */
  enforcementStatus: string;
  /** Emails per second. */
  maxSendRate: number;
  /** Emails per rolling 24 hours; `Infinity` when SES reports no limit (-1). */
  max24HourSend: number;
  sentLast24Hours: number;
}

export interface SesAccountAssessment {
  /** Why nothing should be sent now (sending paused, daily quota spent); null: send. */
  hold: string | null;
  /** What an operator must hear about but that does not stop sending (sandbox, quota nearly spent, probation). */
  warnings: string[];
}

/** Reads the account through GetAccount, with the caller's client or SES options. */
export async function getSesAccount(
  options: SesTransportOptions | { client: SESv2Client },
  signal?: AbortSignal,
): Promise<SesAccount> {
  const own = !('client' in options);
  const client =
    'client' in options
      ? options.client
      : new SESv2Client({
          region: options.region,
          endpoint: options.endpoint,
          credentials: options.credentials,
          maxAttempts: 1,
        });
  try {
    const account = await client.send(new GetAccountCommand({}), { abortSignal: signal });
    const quota = account.SendQuota ?? {};
    return {
      sendingEnabled: account.SendingEnabled ?? false,
      productionAccess: account.ProductionAccessEnabled ?? false,
      enforcementStatus: account.EnforcementStatus ?? 'UNKNOWN',
      maxSendRate: quota.MaxSendRate ?? 1,
      max24HourSend:
        quota.Max24HourSend === undefined || quota.Max24HourSend < 0 ? Number.POSITIVE_INFINITY : quota.Max24HourSend,
      sentLast24Hours: quota.SentLast24Hours ?? 0,
    };
  } finally {
    if (own) client.destroy();
  }
}

/** What the account means for sending: hold everything, or send and warn. `nearlySpentAt` is a share of the daily quota. */
export function assessSesAccount(
  account: SesAccount,
  { nearlySpentAt = 0.9 }: { nearlySpentAt?: number } = {},
): SesAccountAssessment {
  const warnings: string[] = [];
  const quota = `${account.sentLast24Hours} of ${account.max24HourSend} sent in the last 24 hours`;
  let hold: string | null = null;
  if (!account.sendingEnabled)
    hold = `sending is disabled for the SES account (enforcement status ${account.enforcementStatus})`;
  else if (account.sentLast24Hours >= account.max24HourSend)
    hold = `the SES daily quota is spent (${quota}): mail waits until it frees up`;
  else if (account.sentLast24Hours >= account.max24HourSend * nearlySpentAt)
    warnings.push(`the SES daily quota is nearly spent (${quota})`);
  if (!account.productionAccess) {
    warnings.push(
      `the SES account is in the sandbox: only verified addresses receive mail, ${account.max24HourSend} a day, ${account.maxSendRate} a second (request production access)`,
    );
  }
  if (account.sendingEnabled && account.enforcementStatus !== 'HEALTHY')
    warnings.push(`the SES account is under ${account.enforcementStatus}: check bounces and complaints`);
  return { hold, warnings };
}

// AuthDeps on the real Postgres and Redis, with the emails the flows schedule recorded instead of sent.
// Limits either always allow (the flows' own behaviour, observed) or are the app's real limiter on Redis
// (for lockout and limit behaviour).
import { loadConfig } from '@/lib/config';
import { getDatabase, getSqlClient, inTransaction } from '@/lib/db';
import { getKeyValue } from '@/lib/redis';
import { limiterLimits, outboxEmails } from '@/lib/auth/server';
import type { AuthDeps, LimitAnswer } from '@/lib/auth';
import type { SqlClient } from '@zigznote/email';

export interface RecordedEmail {
  kind: keyof AuthDeps['emails'];
  to: string;
  name: string;
  token?: string;
}

const allow = async (): Promise<LimitAnswer> => ({ allowed: true });

/**
 * `emails: 'outbox'` queues real emails in the real outbox, as the app does (each call also recorded);
 * the default only records them. `limits: 'real'` is the app's limiter on Redis, as if no middleware ran.
 */
export async function realAuthDeps({
  limits = 'allow',
  emails = 'record',
}: { limits?: 'allow' | 'real'; emails?: 'record' | 'outbox' } = {}): Promise<AuthDeps & { sent: RecordedEmail[] }> {
  const config = loadConfig(process.env);
  const sent: RecordedEmail[] = [];
  const outbox = outboxEmails();
  // Recorded when queued; with 'outbox', queued in the caller's transaction as the app does.
  const record =
    (kind: RecordedEmail['kind']) =>
    async (to: string, name: string, token?: string, tx?: SqlClient): Promise<void> => {
      sent.push({ kind, to, name, token });
      if (emails !== 'outbox') return;
      if (kind === 'verification') await outbox.verification(to, token ?? '', tx);
      else if (kind === 'welcome' || kind === 'passwordChanged') await outbox[kind](to, name);
      else if (kind === 'accountExists') await outbox.accountExists(to, name, tx);
      else await outbox[kind](to, name, token ?? '', tx);
    };
  const withToken =
    (kind: 'passwordReset' | 'unlockAccount') => (to: string, name: string, token: string, tx?: SqlClient) =>
      record(kind)(to, name, token, tx);
  const withoutToken =
    (kind: 'welcome' | 'passwordChanged' | 'accountExists') => (to: string, name: string, tx?: SqlClient) =>
      record(kind)(to, name, undefined, tx);
  return {
    sent,
    db: await getDatabase(config.database),
    sql: await getSqlClient(config.database),
    inTransaction: (work) => inTransaction(config.database, work),
    kv: getKeyValue(config.redis),
    later: (task) => task(),
    emails: {
      verification: (to, token, tx) => record('verification')(to, '', token, tx),
      welcome: withoutToken('welcome'),
      passwordReset: withToken('passwordReset'),
      passwordChanged: withoutToken('passwordChanged'),
      accountExists: withoutToken('accountExists'),
      unlockAccount: withToken('unlockAccount'),
    },
    limits:
      limits === 'allow'
        ? {
            login: allow,
            account: allow,
            recordFailedLogin: async () => {},
            resetFailedLogins: async () => {},
            clearAccountFailures: async () => {},
            passwordReset: allow,
            resetPassword: allow,
            changePassword: allow,
          }
        : limiterLimits(async () => 'all'),
  };
}

export function uniqueEmail(label: string): string {
  return `${label}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@zigznote.test`;
}

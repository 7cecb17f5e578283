// AuthDeps on the real Postgres and Redis, with the emails the flows schedule recorded instead of sent.
// Limits either always allow (the flows' own behaviour, observed) or are the app's real limiter on Redis
// (for lockout and limit behaviour).
import { loadConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { getKeyValue } from '@/lib/redis';
import { limiterLimits, outboxEmails } from '@/lib/auth/server';
import type { AuthDeps, LimitAnswer } from '@/lib/auth';

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
export async function realAuthDeps({ limits = 'allow', emails = 'record' }: { limits?: 'allow' | 'real'; emails?: 'record' | 'outbox' } = {}): Promise<
  AuthDeps & { sent: RecordedEmail[] }
> {
  const config = loadConfig(process.env);
  const sent: RecordedEmail[] = [];
  const outbox = outboxEmails();
  const record = (kind: RecordedEmail['kind']) => async (to: string, name: string, token?: string) => {
    sent.push({ kind, to, name, token });
    if (emails === 'outbox') await outbox[kind](to, name, token ?? '');
  };
  return {
    sent,
    db: await getDatabase(config.database),
    kv: getKeyValue(config.redis),
    later: (task) => task(),
    emails: {
      verification: (to, token) => record('verification')(to, '', token),
      welcome: record('welcome'),
      passwordReset: record('passwordReset'),
      passwordChanged: record('passwordChanged'),
      accountExists: record('accountExists'),
      unlockAccount: record('unlockAccount'),
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

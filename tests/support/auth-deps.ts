// AuthDeps on the real Postgres and Redis, with the emails the flows schedule recorded instead of sent.
// Limits either always allow (the flows' own behaviour, observed) or are the app's real limiter on Redis
// (for lockout and limit behaviour).
import { loadConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { getKeyValue } from '@/lib/redis';
import {
  checkChangePasswordRateLimit,
  checkLoginRateLimit,
  checkPasswordResetRateLimit,
  checkResetPasswordRateLimit,
  clearAccountFailures,
  isAccountLocked,
  recordFailedAttempt,
  resetFailedAttempts,
} from '@/lib/rate-limit/server';
import type { AuthDeps, LimitAnswer } from '@/lib/auth';
import {
  sendAccountExistsEmail,
  sendPasswordChangedEmail,
  sendPasswordResetEmail,
  sendUnlockAccountEmail,
  sendVerificationEmail,
  sendWelcomeEmail,
} from '@/lib/email';

export interface RecordedEmail {
  kind: keyof AuthDeps['emails'];
  to: string;
  name: string;
  token?: string;
}

const allow = async (): Promise<LimitAnswer> => ({ allowed: true });
const answer = (decision: { allowed: boolean; status: number }): LimitAnswer =>
  decision.allowed ? { allowed: true } : { allowed: false, message: `limited (${decision.status})` };

/**
 * `emails: 'outbox'` queues real emails in the real outbox (each call also recorded); the default only
 * records them.
 */
export async function realAuthDeps({ limits = 'allow', emails = 'record' }: { limits?: 'allow' | 'real'; emails?: 'record' | 'outbox' } = {}): Promise<
  AuthDeps & { sent: RecordedEmail[] }
> {
  const config = loadConfig(process.env);
  const sent: RecordedEmail[] = [];
  const outbox: Record<RecordedEmail['kind'], (to: string, name: string, token: string) => Promise<unknown>> = {
    verification: sendVerificationEmail,
    welcome: (to, name) => sendWelcomeEmail(to, name),
    passwordReset: sendPasswordResetEmail,
    passwordChanged: (to, name) => sendPasswordChangedEmail(to, name),
    accountExists: (to, name) => sendAccountExistsEmail(to, name),
    unlockAccount: sendUnlockAccountEmail,
  };
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
      verification: record('verification'),
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
        : {
            login: async (ip, email) => answer(await checkLoginRateLimit(ip, email)),
            account: async (email) => answer(await isAccountLocked(email)),
            recordFailedLogin: async (ip, email) => void (await recordFailedAttempt(ip, email)),
            resetFailedLogins: resetFailedAttempts,
            clearAccountFailures,
            passwordReset: async (ip, email) => answer(await checkPasswordResetRateLimit(ip, email)),
            resetPassword: async (ip) => answer(await checkResetPasswordRateLimit(ip)),
            changePassword: async (userId, ip) => answer(await checkChangePasswordRateLimit(userId, ip)),
          },
  };
}

export function uniqueEmail(label: string): string {
  return `${label}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@zigznote.test`;
}

// AuthDeps on the real Postgres and Redis, with the emails the flows schedule recorded instead of sent and
// limits that always allow (rate limiting has its own tests): the flows' own behaviour, observed.
import { loadConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { getKeyValue } from '@/lib/redis';
import type { AuthDeps } from '@/lib/auth';

export interface RecordedEmail {
  kind: keyof AuthDeps['emails'];
  to: string;
  name: string;
  token?: string;
}

export async function realAuthDeps(): Promise<AuthDeps & { sent: RecordedEmail[] }> {
  const config = loadConfig(process.env);
  const sent: RecordedEmail[] = [];
  const record = (kind: RecordedEmail['kind']) => (to: string, name: string, token?: string) => void sent.push({ kind, to, name, token });
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
    },
    limits: {
      login: async () => ({ allowed: true }),
      recordFailedLogin: async () => {},
      resetFailedLogins: async () => {},
      passwordReset: async () => ({ allowed: true }),
    },
  };
}

export function uniqueEmail(label: string): string {
  return `${label}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@zigznote.test`;
}

// Enumeration by timing: how long sign-up, login and forgot-password take for an address that has an
// account over one that has none, as ratios of medians measured alternately in one run (goal: about 1).
import { loadConfig } from '../lib/config';
import { closeDatabase, getDatabase, getSqlClient, inTransaction } from '../lib/db';
import { closeRedis, getKeyValue } from '../lib/redis';
import { logIn, requestPasswordReset, resetPassword, signUp, type AuthDeps } from '../lib/auth';
import { percentile, printTable } from './support';

const SAMPLES = 12;
/** Forgot-password answers in about a millisecond: more samples steady its median. */
const CHEAP_SAMPLES = 100;

async function main() {
  const config = loadConfig(process.env);
  const deferred: Promise<unknown>[] = [];
  const deps: AuthDeps = {
    db: await getDatabase(config.database),
    sql: await getSqlClient(config.database),
    inTransaction: (work) => inTransaction(config.database, work),
    kv: getKeyValue(config.redis),
    // as in production: the deferred work runs after the answer, outside the measured time
    later: async (task) =>
      void deferred.push(new Promise((resolve) => setTimeout(() => void task().then(resolve, resolve), 0))),
    emails: {
      verification: () => {},
      welcome: () => {},
      passwordReset: () => {},
      passwordChanged: () => {},
      accountExists: () => {},
      unlockAccount: () => {},
    },
    limits: {
      login: async () => ({ allowed: true }),
      account: async () => ({ allowed: true }),
      recordFailedLogin: async () => {},
      resetFailedLogins: async () => {},
      clearAccountFailures: async () => {},
      passwordReset: async () => ({ allowed: true }),
      resetPassword: async () => ({ allowed: true }),
      changePassword: async () => ({ allowed: true }),
    },
  };
  const run = Date.now();
  const existing = `bench.${run}@zigznote.test`;
  await signUp(deps, { name: 'Bench', email: existing, password: 'bench password' });

  async function compare(
    label: string,
    known: () => Promise<unknown>,
    unknown: (i: number) => Promise<unknown>,
    samples = SAMPLES,
  ): Promise<[string, string, string]> {
    const a: number[] = [];
    const b: number[] = [];
    await known();
    await unknown(-1);
    for (let i = 0; i < samples; i++) {
      for (const side of i % 2 === 0 ? ['a', 'b'] : ['b', 'a']) {
        const started = performance.now();
        if (side === 'a') await known();
        else await unknown(i);
        (side === 'a' ? a : b).push(performance.now() - started);
        // the answer is what a client can time; work deferred past it must not load the next sample
        await Promise.all(deferred.splice(0));
      }
    }
    a.sort((x, y) => x - y);
    b.sort((x, y) => x - y);
    const ma = percentile(a, 50);
    const mb = percentile(b, 50);
    return [label, `${(ma / mb).toFixed(2)} (${ma.toFixed(2)} ms / ${mb.toFixed(2)} ms)`, '≈ 1'];
  }

  const rows = [
    await compare(
      'sign-up: registered address / new address',
      () => signUp(deps, { name: 'X', email: existing, password: 'another password' }),
      (i) => signUp(deps, { name: 'X', email: `new.${run}.${i}@zigznote.test`, password: 'another password' }),
    ),
    await compare(
      'login, wrong password: registered / unknown address',
      () => logIn(deps, { email: existing, password: 'wrong password' }, '192.0.2.1'),
      (i) => logIn(deps, { email: `nobody.${run}.${i}@zigznote.test`, password: 'wrong password' }, '192.0.2.1'),
    ),
    await compare(
      'forgot password: registered / unknown address',
      () => requestPasswordReset(deps, { email: existing }, '192.0.2.1'),
      (i) => requestPasswordReset(deps, { email: `nobody.${run}.${i}@zigznote.test` }, '192.0.2.1'),
      CHEAP_SAMPLES,
    ),
  ];
  await Promise.all(deferred.splice(0));
  rows.push(await loginUnderResetFlood(deps, existing));
  printTable(
    `Auth timing, medians of ${CHEAP_SAMPLES} (forgot password) and ${SAMPLES} (sign-up, login) each, measured in this run`,
    rows,
  );
  await Promise.all(deferred);
  await closeRedis();
  await closeDatabase();
}

/**
 * Login p50 while 50 bogus reset-password posts are in flight, over login p50 alone. Before the reset flow
 * checked its token first, each bogus post cost a scrypt hash and logins queued behind them.
 */
async function loginUnderResetFlood(deps: AuthDeps, email: string): Promise<[string, string, string]> {
  await signUp(deps, { name: 'Bench', email: `flood.${email}`, password: 'bench password' });
  const login = () => logIn(deps, { email, password: 'bench password' }, '192.0.2.2');
  const measure = async () => {
    const times: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now();
      await login();
      times.push(performance.now() - started);
    }
    return percentile(
      times.sort((x, y) => x - y),
      50,
    );
  };
  const alone = await measure();
  let flooding = true;
  const bogusReset = async (i: number) => {
    while (flooding)
      await resetPassword(deps, { token: `bogus-${i}-${'z'.repeat(40)}`, password: 'attacker password' }, '192.0.2.3');
  };
  const flood = Array.from({ length: 50 }, (_, i) => bogusReset(i));
  const underFlood = await measure();
  flooding = false;
  await Promise.all(flood);
  return [
    'login p50 with 50 bogus reset posts in flight / alone',
    `${(underFlood / alone).toFixed(2)} (${underFlood.toFixed(1)} ms / ${alone.toFixed(1)} ms)`,
    '≤ 1.5',
  ];
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

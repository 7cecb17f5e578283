import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fulfilEmailRequest, logIn, requestPasswordReset, resendVerification, signUp, type AuthDeps } from '@/lib/auth';
import { findUserByEmail } from '@/lib/auth/users';
import { closeDatabase } from '@/lib/db';
import { closeRedis } from '@/lib/redis';
import { realAuthDeps, uniqueEmail } from '../../support/auth-deps';

// A process that answered and died before making the email: `later` never runs its task.
let deps: Awaited<ReturnType<typeof realAuthDeps>>;
let died: AuthDeps;

beforeAll(async () => {
  deps = await realAuthDeps();
  died = { ...deps, later: async () => {} };
});

afterAll(async () => {
  await closeRedis();
  await closeDatabase();
});

// Other test files commit requests at the same time and fulfil them at once: the sweep here takes only rows
// made to look an hour old, as a dead process's rows are (the app's sweep takes those older than 10 s).
const HOUR_MS = 3_600_000;
async function orphan(emails: string[]) {
  await deps.sql.query("update auth_email_requests set created_at = now() - interval '2 hours' where email = any($1)", [
    emails,
  ]);
}
const requestsFor = async (email: string) =>
  (await deps.sql.query('select kind from auth_email_requests where email = $1', [email])).rows as Array<{
    kind: string;
  }>;
/** The sweep, as every instance runs it: takes orphaned requests until none is left. */
async function sweep(times = 1): Promise<number> {
  let made = 0;
  for (let i = 0; i < times; i++) {
    const taken = await Promise.all(
      Array.from({ length: 4 }, () => fulfilEmailRequest(deps, { olderThanMs: HOUR_MS })),
    );
    made += taken.filter(Boolean).length;
  }
  return made;
}

describe('what an auth form promised is committed before it answers', () => {
  it('a sign-up answered by a process that then died: the sweep makes the account and one verification email', async () => {
    const email = uniqueEmail('died-signup');
    expect(await signUp(died, { name: 'Ada', email, password: 'longenough' })).toMatchObject({ ok: true });
    expect(await requestsFor(email)).toEqual([{ kind: 'sign-up' }]);
    expect(await findUserByEmail(deps.db, email)).toBeNull();

    await orphan([email]);
    while ((await sweep()) > 0);
    const user = await findUserByEmail(deps.db, email);
    expect(user).toMatchObject({ email, name: 'Ada', emailVerifiedAt: null });
    expect(deps.sent.filter((e) => e.to === email)).toEqual([expect.objectContaining({ kind: 'verification' })]);
    expect(await requestsFor(email)).toEqual([]);
    // the account works with the password typed at sign-up once verified: the stored hash is that password's
    await deps.sql.query('update users set email_verified_at = now() where id = $1', [user!.id]);
    expect(await logIn(deps, { email, password: 'longenough' }, '10.9.9.9')).toMatchObject({ ok: true });
  });

  it('four instances sweeping at once make each email once', async () => {
    const emails = Array.from({ length: 6 }, (_, i) => uniqueEmail(`race-${i}`));
    await Promise.all(emails.map((email) => signUp(died, { name: 'Ada', email, password: 'longenough' })));
    await orphan(emails);
    while ((await sweep()) > 0);
    for (const email of emails)
      expect(deps.sent.filter((e) => e.to === email).map((e) => e.kind)).toEqual(['verification']);
  });

  it('resets, re-sends and sign-ups with a registered address: the same row either way, the right email or none from it', async () => {
    const registered = uniqueEmail('registered');
    await signUp(deps, { name: 'Ada', email: registered, password: 'longenough' });
    const unknown = uniqueEmail('unknown');
    for (const email of [registered, unknown]) {
      await requestPasswordReset(died, { email }, '10.9.9.8');
      await resendVerification(died, { email }, '10.9.9.8');
      expect((await requestsFor(email)).map((r) => r.kind).sort()).toEqual(['reset', 'verify']);
    }
    await signUp(died, { name: 'Mallory', email: registered, password: 'another one' });
    await orphan([registered, unknown]);
    while ((await sweep()) > 0);
    expect(deps.sent.filter((e) => e.to === unknown)).toEqual([]);
    expect(
      deps.sent
        .filter((e) => e.to === registered)
        .map((e) => e.kind)
        .sort(),
    ).toEqual(['accountExists', 'passwordReset', 'verification', 'verification']);
    expect(await requestsFor(registered)).toEqual([]);
    expect(await requestsFor(unknown)).toEqual([]);
  });

  it('a failure while making the email leaves the request for the next sweep (the transaction rolls back)', async () => {
    const email = uniqueEmail('rollback');
    await signUp(died, { name: 'Ada', email, password: 'longenough' });
    await orphan([email]);
    const failing: AuthDeps = {
      ...deps,
      emails: {
        ...deps.emails,
        verification: () => {
          throw new Error('SES render failed');
        },
      },
    };
    await expect(fulfilEmailRequest(failing, { olderThanMs: HOUR_MS })).rejects.toThrow('SES render failed');
    expect(await findUserByEmail(deps.db, email)).toBeNull();
    expect(await requestsFor(email)).toEqual([{ kind: 'sign-up' }]);
    while ((await sweep()) > 0);
    expect(await findUserByEmail(deps.db, email)).not.toBeNull();
    expect(deps.sent.filter((e) => e.to === email).map((e) => e.kind)).toEqual(['verification']);
  });
});

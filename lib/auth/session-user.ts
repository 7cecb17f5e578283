/**
 * Who a session cookie belongs to, for keying per-user rate limits in middleware: remembered for 30 s, so
 * a signed-in client's requests cost one Redis round trip (the limit check), not two. A bogus or expired
 * token resolves to no user. Node-only.
 */
import { getConfig } from '../config';
import { getKeyValue } from '../redis';
import { processState } from '../runtime';
import { validateSession } from './session';

const REMEMBER_MS = 30_000;
const REMEMBER_AT_MOST = 10_000;

const state = processState('session-users', () => ({
  users: new Map<string, { userId: string | null; until: number }>(),
}));

export async function userIdOfSession(token: string | undefined): Promise<string | undefined> {
  if (!token) return undefined;
  const now = Date.now();
  const remembered = state.users.get(token);
  if (remembered && remembered.until > now) return remembered.userId ?? undefined;
  const session = await validateSession(getKeyValue(getConfig().redis), token).catch(() => null);
  state.users.delete(token);
  state.users.set(token, { userId: session?.userId ?? null, until: now + REMEMBER_MS });
  if (state.users.size > REMEMBER_AT_MOST) state.users.delete(state.users.keys().next().value!);
  return session?.userId;
}

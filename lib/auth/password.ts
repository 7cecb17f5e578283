/**
 * Password hashing with scrypt at the OWASP parameters (N=2^17, r=8, p=1), a random salt per password,
 * compared in constant time. Stored as `scrypt$N$r$p$salt$hash` so parameters can be raised later without
 * breaking old hashes. A login for an unknown account verifies against a dummy hash so it takes as long as
 * one for a real account. Hashing is bounded per process: at most HASHING_CONCURRENCY hashes run and a
 * short, bounded line waits; beyond that a caller gets PasswordHashingBusyError at once (the app answers
 * "try again in a few seconds"), so a flood of password posts cannot pin the thread pool for everyone.
 * Node-only.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { processState } from '../runtime';
import { PASSWORD_MAX_LENGTH } from './password-rules';

export { PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH } from './password-rules';

const PARAMS = { N: 2 ** 17, r: 8, p: 1 };
const KEY_LENGTH = 32;

/** libuv's default thread pool has 4 threads; more concurrent hashes would only queue inside it. */
export const HASHING_CONCURRENCY = 4;
const MAX_WAITING = 16;
const DEFAULT_MAX_WAIT_MS = 3_000;

export class PasswordHashingBusyError extends Error {
  readonly retryAfterSeconds = 5;
  constructor() {
    super('password hashing is at capacity');
    this.name = 'PasswordHashingBusyError';
  }
}

/** Work done after the answer (a sign-up's hash) waits in its own, longer line, served after people at a form. */
const MAX_WAITING_BACKGROUND = 1_000;

type Lane = 'request' | 'background';

const slots = processState('password-hashing', () => ({
  running: 0,
  waiting: [] as Array<() => void>,
  background: [] as Array<() => void>,
  started: 0,
}));

export async function withHashingSlot<T>(
  work: () => Promise<T>,
  maxWaitMs = DEFAULT_MAX_WAIT_MS,
  lane: Lane = 'request',
): Promise<T> {
  if (slots.running >= HASHING_CONCURRENCY) {
    const line = lane === 'request' ? slots.waiting : slots.background;
    if (line.length >= (lane === 'request' ? MAX_WAITING : MAX_WAITING_BACKGROUND))
      throw new PasswordHashingBusyError();
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        line.splice(line.indexOf(wake), 1);
        reject(new PasswordHashingBusyError());
      }, maxWaitMs);
      line.push(wake);
    });
  } else {
    slots.running++;
  }
  slots.started++;
  try {
    return await work();
  } finally {
    // A woken waiter inherits this slot, so `running` changes only when nobody waits. People first.
    const next = slots.waiting.shift() ?? slots.background.shift();
    if (next) next();
    else slots.running--;
  }
}

/** How many hashes run and wait right now, and how many ever started (for tests and health). */
export function hashingLoad(): { running: number; waiting: number; started: number } {
  return { running: slots.running, waiting: slots.waiting.length + slots.background.length, started: slots.started };
}

function scrypt(
  password: string,
  salt: Buffer,
  options: ScryptOptions,
  maxWaitMs?: number,
  lane?: Lane,
): Promise<Buffer> {
  return withHashingSlot(() => scryptUnbounded(password, salt, options), maxWaitMs, lane);
}

function scryptUnbounded(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { ...options, maxmem: 256 * 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

/**
 * `maxWaitMs`: how long to wait for a hashing slot. `background`: work done after the answer, which waits
 * in its own long line behind requests instead of being refused.
 */
export async function hashPassword(
  password: string,
  { maxWaitMs, background = false }: { maxWaitMs?: number; background?: boolean } = {},
): Promise<string> {
  if (password.length > PASSWORD_MAX_LENGTH) throw new Error('password too long');
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, PARAMS, maxWaitMs, background ? 'background' : 'request');
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH) return false;
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | undefined;

/** Spends the time of one verification, for accounts that do not exist. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex')).catch((error: unknown) => {
    dummyHash = undefined;
    throw error;
  });
  await verifyPassword(password, await dummyHash);
  return false;
}

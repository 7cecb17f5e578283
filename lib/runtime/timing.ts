/**
 * Waiting, in one place: a sleep, the exponential backoff every retry loop uses, and deadlines for a
 * promise (which stop their timer either way). Edge-safe and browser-safe.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** base, 2·base, 4·base … for attempts 1, 2, 3 …, never more than `max`. */
export function backoffMs(attempt: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempt - 1));
}

/**
 * The promise, or a rejection with `message` once `ms` have passed, whichever comes first. `onTimeout`
 * runs at the deadline (e.g. to abort the work that is late).
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, message: string, onTimeout?: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(message));
    }, ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Waits until at least `needMs` are left in the current fixed window of `windowMs` (e.g. a minute), so a
 * burst measured against a sliding-window counter is not cut by the window's end.
 */
export async function awaitRoomInWindow(needMs: number, windowMs = 60_000): Promise<void> {
  const into = Date.now() % windowMs;
  if (windowMs - into < needMs) await sleep(windowMs - into + 200);
}

/**
 * Deadlines on Redis's answers that measure Redis, not this process's busy event loop (the store guard
 * times every round trip with them). Edge-safe.
 */
/** A deadline that passed with the awaited work still unanswered (see withIoDeadline). */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

const yieldToIo: (run: () => void) => void =
  typeof setImmediate === 'function' ? (run) => void setImmediate(run) : (run) => void setTimeout(run, 0);

/**
 * A deadline on an answer from another process (Redis, say) that measures that process, not ours: when
 * the timer fires, the event loop first reads what is waiting on its sockets (timers run before I/O, so an
 * answer that already arrived would otherwise lose the race), and the time the timer itself was kept
 * waiting by our own busy loop is granted again, once. Rejects with DeadlineError only when the answer is
 * really late.
 */
export function withIoDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let extended = false;
    let dueAt = performance.now() + ms;
    let timer: ReturnType<typeof setTimeout>;
    const expire = () =>
      yieldToIo(() => {
        if (settled) return;
        const lateBy = performance.now() - dueAt;
        if (!extended && lateBy > 1) {
          extended = true;
          dueAt = performance.now() + lateBy;
          timer = setTimeout(expire, lateBy);
          return;
        }
        settled = true;
        reject(new DeadlineError(message));
      });
    timer = setTimeout(expire, ms);
    promise.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

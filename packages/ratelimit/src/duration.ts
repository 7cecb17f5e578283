/** Windows written as Upstash writes them: "10 s", "10s", "500 ms", "1 m", "2 h", "1 d". */
export type Unit = 'ms' | 's' | 'm' | 'h' | 'd';
export type Duration = `${number} ${Unit}` | `${number}${Unit}`;

const UNIT_MS: Record<Unit, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration; a value that is not one is refused with the forms that are. */
export function ms(duration: Duration, what = 'window'): number {
  const match = typeof duration === 'string' ? /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/.exec(duration) : null;
  const milliseconds = match ? Number(match[1]) * UNIT_MS[match[2] as Unit] : 0;
  if (!match || !Number.isSafeInteger(milliseconds) || milliseconds < 1) {
    throw new TypeError(
      `${what} ${JSON.stringify(duration)} is not a duration: write a whole number and a unit, like "10 s", "500ms", "1 m", "2 h" or "1 d"`,
    );
  }
  return milliseconds;
}

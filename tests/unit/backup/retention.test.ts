import { describe, expect, it } from 'vitest';
import { setsToKeep } from '@/lib/backup';

const setAt = (iso: string) => `sets/${iso.replace(/[:.]/g, '-')}`;

describe('which backup sets a retention keeps', () => {
  // A daily set at 03:17 through November 2026, and a second one on Monday the 30th in the afternoon.
  const november = Array.from({ length: 30 }, (_, i) =>
    setAt(`2026-11-${String(i + 1).padStart(2, '0')}T03:17:00.000Z`),
  );
  const sets = [...november, setAt('2026-11-30T15:00:00.000Z')];

  it('the newest of each of the last 7 days and of each of the last 4 weeks (Monday to Sunday, UTC)', () => {
    const kept = [...setsToKeep(sets, { keepDaily: 7, keepWeekly: 4 })].sort();
    expect(kept).toEqual(
      [
        '2026-11-15T03:17:00.000Z', // week of the 9th
        '2026-11-22T03:17:00.000Z', // week of the 16th
        ...['24', '25', '26', '27', '28', '29'].map((day) => `2026-11-${day}T03:17:00.000Z`), // 6 days + week of the 23rd
        '2026-11-30T15:00:00.000Z', // today and this week; the morning's set of the same day goes
      ].map(setAt),
    );
  });

  it('always keeps the newest set, and counts days that have a set, not calendar days', () => {
    const sparse = [
      setAt('2026-01-01T00:00:00.000Z'),
      setAt('2026-06-01T00:00:00.000Z'),
      setAt('2026-11-01T00:00:00.000Z'),
    ];
    expect([...setsToKeep(sparse, { keepDaily: 1, keepWeekly: 0 })]).toEqual([setAt('2026-11-01T00:00:00.000Z')]);
    expect(setsToKeep(sparse, { keepDaily: 2, keepWeekly: 0 }).size).toBe(2);
    expect(setsToKeep(sparse, { keepDaily: 1, keepWeekly: 3 }).size).toBe(3);
  });

  it('ignores names that carry no time, and keeps nothing of an empty list', () => {
    expect([...setsToKeep(['sets/not-a-time', ...sets.slice(0, 1)], { keepDaily: 7, keepWeekly: 4 })]).toEqual([
      sets[0],
    ]);
    expect(setsToKeep([], { keepDaily: 7, keepWeekly: 4 }).size).toBe(0);
  });
});

import { cacheLife, cacheTag } from 'next/cache';

/** When this value was computed: the same until the 'clock' tag is invalidated. */
export async function computedAt(): Promise<string> {
  'use cache';
  cacheLife({ revalidate: 3600, expire: 3600 });
  cacheTag('clock');
  return `${new Date().toISOString()} #${Math.random().toString(36).slice(2, 8)}`;
}

import { cacheLife, cacheTag } from 'next/cache';
import { cacheTagVersion, countCacheComputation } from '@/lib/cache';
import { fileListTag, getStorageDeps, listFiles, storageUsage } from '@/lib/storage';

/**
 * The user's files and usage, for /files and GET /api/files: cached per user in Redis, dropped on every
 * instance when an upload starts, completes or ends and when a file is deleted (fileListTag), and at most
 * five minutes old otherwise (usage counts pending uploads, which expire on their own). Keyed by the tag's
 * last expiry too, so a listing asked for after a change is never one computed before it.
 */
export async function fileListing(userId: string) {
  return cachedFileListing(userId, await cacheTagVersion(fileListTag(userId)));
}

async function cachedFileListing(userId: string, _listingVersion: number) {
  'use cache';
  cacheLife({ stale: 30, revalidate: 60, expire: 300 });
  cacheTag(fileListTag(userId));
  countCacheComputation('file-listing');
  const deps = await getStorageDeps();
  const [files, usage] = await Promise.all([listFiles(deps, userId), storageUsage(deps, userId, deps.quotaBytes)]);
  return { files, usage };
}

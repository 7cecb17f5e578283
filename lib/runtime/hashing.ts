/**
 * SHA-256 as the app uses it: hex digests of secrets and keys stored in place of the values, and a
 * constant-time comparison of a presented secret with the expected one. Node-only (node:crypto).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Compares digests, so neither the time taken nor a length difference tells anything about the secret. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The bucket table (buckets.json) read once: its names as a type, each bucket's rule, and the choices
 * derived from it (which buckets a browser uploads to, which one a file goes to). Pure data without zod,
 * so client components use it too; init scripts read the same JSON, and a unit test checks its shape.
 */
import table from './buckets.json';

export type BucketName = Exclude<keyof typeof table, '$comment'>;

export interface BucketRule {
  /** Content types a browser may upload; empty: server-side only. */
  contentTypes: readonly string[];
  maxBytes: number;
  /** Types safe to show inline when downloaded; everything else is an attachment. */
  inlineTypes: readonly string[];
}

export interface BucketTableEntry {
  uploadTypes: string[];
  maxSize: number | string;
  inlineTypes: string[];
}

const UNITS: Record<string, number> = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** Bytes from buckets.json's `maxSize`: a number of bytes or "<n> KB|MB|GB". */
export function sizeInBytes(size: number | string): number {
  if (typeof size === 'number' && Number.isSafeInteger(size) && size > 0) return size;
  const match = typeof size === 'string' ? /^(\d+) (KB|MB|GB)$/.exec(size) : null;
  if (!match) throw new Error(`buckets.json: maxSize ${JSON.stringify(size)} is not bytes or "<n> KB|MB|GB"`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

function toRule(entry: BucketTableEntry): BucketRule {
  return { contentTypes: entry.uploadTypes, maxBytes: sizeInBytes(entry.maxSize), inlineTypes: entry.inlineTypes };
}

const { $comment: _comment, ...entries } = table;

export const BUCKET_RULES = Object.fromEntries(
  Object.entries(entries).map(([name, entry]) => [name, toRule(entry)]),
) as Record<BucketName, BucketRule>;
export const BUCKET_NAMES = Object.keys(BUCKET_RULES) as [BucketName, ...BucketName[]];
/** Buckets a browser uploads to (those with upload types). */
export const UPLOAD_BUCKETS = BUCKET_NAMES.filter((name) => BUCKET_RULES[name].contentTypes.length > 0);

/** The bucket a browser's file goes to: the first that accepts its type (the first upload bucket if none does). */
export function bucketForContentType(contentType: string): BucketName {
  return UPLOAD_BUCKETS.find((name) => BUCKET_RULES[name].contentTypes.includes(contentType)) ?? UPLOAD_BUCKETS[0]!;
}

/** Each bucket's name on the storage server: `<prefix>-<name>`. */
export function bucketNames(prefix: string): Record<BucketName, string> {
  return Object.fromEntries(BUCKET_NAMES.map((name) => [name, `${prefix}-${name}`])) as Record<BucketName, string>;
}

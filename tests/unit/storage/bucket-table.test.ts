import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BUCKET_NAMES,
  BUCKET_RULES,
  UPLOAD_BUCKETS,
  bucketForContentType,
  bucketNames,
  sizeInBytes,
} from '@/lib/storage/bucket-table';

const raw = JSON.parse(readFileSync('lib/storage/buckets.json', 'utf8')) as Record<string, unknown>;
const mimeType = z.string().regex(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/);
const entry = z
  .object({
    uploadTypes: z.array(mimeType),
    maxSize: z.union([z.number().int().positive(), z.string().regex(/^\d+ (KB|MB|GB)$/)]),
    inlineTypes: z.array(mimeType),
  })
  .strict();

describe('the bucket table (lib/storage/buckets.json)', () => {
  it('has one complete rule per lowercase bucket name, and inline types only among upload types', () => {
    const { $comment, ...buckets } = raw;
    expect(typeof $comment).toBe('string');
    for (const [name, rule] of Object.entries(buckets)) {
      expect(name).toMatch(/^[a-z][a-z0-9-]{0,30}$/);
      const parsed = entry.parse(rule);
      for (const type of parsed.inlineTypes) expect(parsed.uploadTypes, `${name}: ${type}`).toContain(type);
    }
    expect(BUCKET_NAMES).toEqual(Object.keys(buckets));
  });

  it('derives sizes, the upload buckets, the bucket for a file type and the server-side names', () => {
    expect(sizeInBytes('5 MB')).toBe(5 * 1024 * 1024);
    expect(sizeInBytes(1234)).toBe(1234);
    expect(() => sizeInBytes('5MB')).toThrow(/not bytes or/);
    expect(() => sizeInBytes(-1)).toThrow(/not bytes or/);
    expect(BUCKET_RULES.avatars.maxBytes).toBe(5 * 1024 * 1024);
    expect(UPLOAD_BUCKETS).toEqual(BUCKET_NAMES.filter((name) => BUCKET_RULES[name].contentTypes.length > 0));
    expect(UPLOAD_BUCKETS).not.toContain('backups');
    expect(bucketForContentType('image/png')).toBe('avatars');
    expect(bucketForContentType('audio/mpeg')).toBe('audio');
    // an unknown type goes to the first upload bucket, whose rule then refuses it with a message
    expect(bucketForContentType('application/zip')).toBe(UPLOAD_BUCKETS[0]);
    expect(bucketNames('acme')).toEqual(Object.fromEntries(BUCKET_NAMES.map((name) => [name, `acme-${name}`])));
  });
});

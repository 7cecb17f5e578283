import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Next bundles the cacheHandler for the Edge runtime too, where a node: import fails the whole
// middleware bundle at start-up (it did, once): the adapters must import nothing.
describe('the cache handler adapters next.config.mjs names', () => {
  for (const file of ['packages/next-cache/handlers/incremental.js', 'packages/next-cache/handlers/use-cache.js']) {
    it(`${file} imports nothing`, () => {
      const source = readFileSync(file, 'utf8');
      expect(source).not.toMatch(/^\s*import\s/m);
      expect(source).not.toMatch(/\brequire\(|\bimport\(/);
    });
  }
});

// The Edge-safety rule of eslint.config.mjs, run through ESLint itself: an Edge-safe module that imports
// Node is refused, and the runtime-switched dynamic import middleware uses is not.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('Edge-safe modules', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';", 'no Node built-ins'],
    ["import { createHash } from 'crypto';", 'no Node built-ins'],
    ["import Redis from 'ioredis';", 'this package needs Node'],
    ["import { Client } from 'minio';", 'this package needs Node'],
    ["import { getRedis } from '../redis';", 'that module is Node-only'],
    ["import { decide } from './server';", 'that module is Node-only'],
    ["import { RedisStore } from './store-redis';", 'that module is Node-only'],
  ])('refuse %s', async (line, reason) => {
    const messages = await restrictedImports(
      'lib/rate-limit/verdict.ts',
      `${line}\nexport const used = [${line.match(/import \{? ?(\w+)/)![1]}];\n`,
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(reason);
  });

  it('allow each other, and Node-only code behind the runtime switch', async () => {
    const code = `import { MemoryStore } from './store-memory';
export async function pick() {
  if (process.env.NEXT_RUNTIME === 'nodejs') return (await import('./server')).getRateLimiter();
  return new MemoryStore();
}
`;
    expect(await restrictedImports('lib/rate-limit/edge.ts', code)).toEqual([]);
  });

  it("hold in the toolkit's limiter core too, whose imports name their .js files", async () => {
    const messages = await restrictedImports(
      'packages/ratelimit/src/limiter/headers.ts',
      "import { RedisStore } from '../store-redis.js';\nexport const used = RedisStore;\n",
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('that module is Node-only');
  });

  it('leave Node-only modules free to import Node', async () => {
    expect(
      await restrictedImports(
        'packages/ratelimit/src/store-redis.ts',
        "import Redis from 'ioredis';\nexport const used = Redis;\n",
      ),
    ).toEqual([]);
  });
});

// One meaning for each entry file of a concern (lib/<concern>/): index.ts is what the rest of the app
// imports on Node, edge.ts what Edge code (middleware) imports, client.ts what client components import.
// Every other file is the concern's own: nothing outside the folder imports it, so a concern can move its
// insides without touching its callers. Tests may reach inside; the app, middleware and other concerns may not.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const ENTRIES = new Set(['index', 'edge', 'client']);

/** Each import of a concern's file from outside the concern that is not one of its entries. */
function reachingInside(path: string, text: string): string[] {
  const isClient = /^\s*['"]use client['"]/.test(text);
  const found: string[] = [];
  for (const match of text.matchAll(/(?:from |import\()\s*'((?:@\/|\.\.?\/)[^']+)'/g)) {
    const spec = match[1]!;
    const target = normalize(spec.startsWith('@/') ? spec.slice(2) : join(dirname(path), spec));
    const [root, concern, file] = target.split('/');
    if (root !== 'lib' || !concern || concern.endsWith('.ts') || path.startsWith(`lib/${concern}/`)) continue;
    const entry = (file ?? 'index').replace(/\.tsx?$/, '');
    if (!ENTRIES.has(entry)) found.push(`${path} imports ${spec}`);
    else if (isClient && entry !== 'client') found.push(`${path} (a client component) imports ${spec}`);
  }
  return found;
}

describe('entry files of the concerns in lib/', () => {
  it('are the only files imported from outside their concern', () => {
    const sources = [
      ...files('app'),
      ...files('lib'),
      'middleware.ts',
      'instrumentation.ts',
      'instrumentation-client.ts',
    ];
    expect(sources.flatMap((path) => reachingInside(path, readFileSync(path, 'utf8')))).toEqual([]);
  });

  it('are told apart from a reach inside, and a client component is held to client.ts', () => {
    expect(reachingInside('app/page.tsx', "import { x } from '@/lib/auth/session';")).toEqual([
      'app/page.tsx imports @/lib/auth/session',
    ]);
    expect(reachingInside('lib/email/send.ts', "import { y } from '../auth/server';")).toEqual([
      'lib/email/send.ts imports ../auth/server',
    ]);
    expect(reachingInside('lib/auth/server.ts', "import { z } from './session';")).toEqual([]);
    expect(reachingInside('middleware.ts', "import { a } from './lib/auth/edge';")).toEqual([]);
    expect(reachingInside('app/form.tsx', "'use client';\nimport { b } from '@/lib/auth';")).toEqual([
      'app/form.tsx (a client component) imports @/lib/auth',
    ]);
  });
});

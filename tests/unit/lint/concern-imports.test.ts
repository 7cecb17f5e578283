// The concerns under lib/ import each other in one direction only: no folder reaches back, through any
// chain, to a folder that imports it (config first, then redis/db/…, then auth, then the app). A circle
// makes a change in one concern a change in the other and leaves module order to chance.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const concernOf = (path: string) =>
  relative('lib', path)
    .split('/')[0]!
    .replace(/\.tsx?$/, '');

/** Folder-level edges: concern → the other concerns its files import (relative imports under lib/). */
function concernGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files('lib')) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from |import\()'(\.\.?\/[^']+)'/g)) {
      const target = normalize(join(dirname(file), match[1]!));
      if (!target.startsWith('lib')) continue;
      const [from, to] = [concernOf(file), concernOf(target)];
      if (from !== to) graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
  }
  return graph;
}

/** Every circle, as the concerns on it (strongly connected groups of more than one). */
function circles(graph: Map<string, Set<string>>): string[][] {
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string) => {
    order.set(node, order.size);
    low.set(node, order.get(node)!);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!order.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(node, Math.min(low.get(node)!, order.get(next)!));
    }
    if (low.get(node) === order.get(node)) {
      const group: string[] = [];
      for (let member = stack.pop()!; ; member = stack.pop()!) {
        group.push(member);
        if (member === node) break;
      }
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const node of graph.keys()) if (!order.has(node)) visit(node);
  return found;
}

describe('imports between the concerns of lib/', () => {
  it('form no circle', () => {
    const graph = concernGraph();
    expect(graph.get('auth')?.has('rate-limit')).toBe(true);
    expect(circles(graph)).toEqual([]);
  });

  it('config imports no concern: each concern checks what its own settings mean', () => {
    expect([...(concernGraph().get('config') ?? [])]).toEqual([]);
  });

  it('finds a circle when there is one', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(circles(graph)).toEqual([['a', 'b', 'c']]);
  });
});

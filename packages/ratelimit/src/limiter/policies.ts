/**
 * What a policy table is: per route group, the limits a request of that group is checked against (all at
 * once) and what to do when the store is unreachable; plus "name=limit/window" overrides and shadow rules
 * for tables kept in configuration. The table itself is the caller's. Edge-safe.
 */
import type { Algorithm } from './types.js';

/** Who a limit counts: the identity its key is built from. */
export type Identity = 'ip' | 'ip48' | 'email' | 'ip+email' | 'user' | 'user-or-ip' | 'global';

export interface LimitRule {
  name: string;
  limit: number;
  windowMs: number;
  algorithm: Algorithm;
  identity: Identity;
  /** Hits a check of the group consumes; 0 only looks (the limit is fed by `record`). @default 1 */
  cost?: number;
}

export interface Policy<G extends string = string> {
  group: G;
  /** closed: answer 503 when the store is unreachable. open: keep serving from the in-process store. */
  onStoreFailure: 'closed' | 'open';
  rules: LimitRule[];
}

export type PolicyTable<G extends string = string> = Record<G, Policy<G>>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const UNIT_MS = { s: 1_000, m: MINUTE, h: HOUR, d: 24 * HOUR } as const;
export const OVERRIDE_PATTERN = /^\s*([a-z0-9-]+)\s*=\s*(\d+)\s*\/\s*(\d*)\s*([smhd])\s*$/;

/**
 * A copy of `policies` with "name=limit/window" overrides applied (window like 15m, 1h, 30s), e.g.
 * "login=10/15m,api=300/1m". An unknown name or a malformed item is refused, naming `label`.
 */
export function applyOverrides<G extends string>(
  policies: PolicyTable<G>,
  overrides: string | undefined,
  label = 'overrides',
): PolicyTable<G> {
  const resolved = structuredClone(policies);
  if (!overrides) return resolved;
  const rules = new Map(
    (Object.values(resolved) as Policy<G>[]).flatMap((p) => p.rules.map((r) => [r.name, r] as const)),
  );
  for (const item of overrides.split(',').filter((s) => s.trim() !== '')) {
    const match = OVERRIDE_PATTERN.exec(item);
    if (!match) throw new Error(`${label}: "${item.trim()}" is not name=limit/window (e.g. login=5/15m)`);
    const [, name, limit, count, unit] = match;
    const rule = rules.get(name!);
    if (!rule) throw new Error(`${label}: no limit is named "${name}" (known: ${[...rules.keys()].join(', ')})`);
    rule.limit = Number(limit);
    rule.windowMs = Number(count || '1') * UNIT_MS[unit as keyof typeof UNIT_MS];
    if (rule.limit < 1 || rule.windowMs < 1_000)
      throw new Error(`${label}: "${item.trim()}" needs a limit ≥ 1 and a window ≥ 1s`);
  }
  return resolved;
}

/** Rule names that count and report but refuse nothing (comma-separated). Unknown names are refused. */
export function shadowRuleNames(names: string | undefined, policies: PolicyTable, label = 'shadow rules'): Set<string> {
  const known = new Set(Object.values(policies).flatMap((policy) => policy.rules.map((rule) => rule.name)));
  const shadow = new Set(
    (names ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  );
  for (const name of shadow) {
    if (!known.has(name)) throw new Error(`${label}: no limit is named "${name}" (known: ${[...known].join(', ')})`);
  }
  return shadow;
}

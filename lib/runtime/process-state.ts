/**
 * State that must exist once per server process. Next bundles server code per entry point
 * (instrumentation, middleware, each route and action), so a module-level variable can exist several
 * times in one process: two PGlite instances on one directory, a session the route handler cannot see
 * because the action wrote it into another copy of the in-process store. Keeping such state on globalThis
 * under a registered symbol gives every copy the same instance. Edge-safe.
 */
export function processState<T extends object>(name: string, create: () => T): T {
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  const key = Symbol.for(`zigznote.${name}`);
  store[key] ??= create();
  return store[key];
}

import { fileURLToPath } from 'node:url';

const handler = (name) => fileURLToPath(import.meta.resolve(name));
const here = fileURLToPath(new URL('.', import.meta.url));

/** @type {import('next').NextConfig} */
export default {
  // 'use cache' and the incremental cache on Redis, through @zigznote/next-cache (installed in instrumentation.ts).
  cacheHandler: handler('@zigznote/next-cache/incremental-cache-handler'),
  cacheHandlers: { default: handler('@zigznote/next-cache/use-cache-handler') },
  cacheMaxMemorySize: 0,
  cacheComponents: true,
  // This folder is an app of its own, inside another repository: its root is here.
  turbopack: { root: here },
  outputFileTracingRoot: here,
};

import { fileURLToPath } from 'node:url';
import { deploymentIdProblem } from './lib/deploy/deployment-id.mjs';

/** The file a package exports under that name, as an absolute path (what Next's cache options take). */
const handler = (specifier) => fileURLToPath(import.meta.resolve(specifier));

// Skew protection (docs/deployment.md, "Rolling out"): a build made with DEPLOYMENT_ID names itself on every
// request its pages make, and the balancer sends those requests to a replica of that build while it runs.
// Read at build time (the client bundles carry it), and again by `next start`, which must see the same value.
const deploymentId = process.env.DEPLOYMENT_ID || undefined;
const deploymentIdRefused = deploymentId && deploymentIdProblem(deploymentId);
if (deploymentIdRefused) throw new Error(deploymentIdRefused);

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  deploymentId,
  poweredByHeader: false,
  // The Docker image runs .next/standalone/server.js (see scripts/assemble-standalone.sh).
  output: 'standalone',
  // Every cache lives in Redis, shared by all instances (@zigznote/next-cache, wired in lib/cache); no
  // per-process copy to go stale.
  cacheHandler: handler('@zigznote/next-cache/incremental-cache-handler'),
  cacheHandlers: {
    default: handler('@zigznote/next-cache/use-cache-handler'),
    remote: handler('@zigznote/next-cache/use-cache-handler'),
  },
  cacheMaxMemorySize: 0,
  experimental: {
    // 'use cache' with cacheLife/cacheTag, without Cache Components: that mode changes how every page
    // renders (prerendered shells, a Suspense boundary around each cookie read) and is its own migration.
    useCache: true,
  },
  // On every response, static assets included (middleware does not see /_next/static). Pages whose URL
  // carries a secret token send no Referer at all, so the token cannot leak to another site.
  async headers() {
    const always = [
      { key: 'X-Content-Type-Options', value: 'nosniff' },
      { key: 'X-Frame-Options', value: 'DENY' },
      // Nothing here uses a camera, microphone, location, payment or USB device: no page (nor an injected
      // frame) may ask for one.
      {
        key: 'Permissions-Policy',
        value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()',
      },
      // HTTPS only, subdomains included, once a browser has seen it over HTTPS (ignored over plain HTTP).
      ...(process.env.NODE_ENV === 'production'
        ? [{ key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' }]
        : []),
    ];
    return [
      {
        source: '/((?!auth/verify-email|auth/reset-password|auth/unlock).*)',
        headers: [...always, { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' }],
      },
      {
        source: '/auth/:page(verify-email|reset-password|unlock)',
        headers: [...always, { key: 'Referrer-Policy', value: 'no-referrer' }],
      },
    ];
  },
  // Native and WASM-carrying clients stay plain Node requires instead of being bundled.
  serverExternalPackages: ['@electric-sql/pglite', 'pg', 'ioredis', 'minio', '@aws-sdk/client-sesv2', 'prom-client'],
};

export default nextConfig;

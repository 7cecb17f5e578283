/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The Docker image runs .next/standalone/server.js (see scripts/assemble-standalone.sh).
  output: 'standalone',
  // Native and WASM-carrying clients stay plain Node requires instead of being bundled.
  serverExternalPackages: ['@electric-sql/pglite', 'pg', 'ioredis', 'minio', '@aws-sdk/client-ses'],
};

export default nextConfig;

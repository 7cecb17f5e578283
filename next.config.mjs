/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and WASM-carrying clients stay plain Node requires instead of being bundled.
  serverExternalPackages: ['@electric-sql/pglite', 'pg', 'ioredis', 'minio', '@aws-sdk/client-ses'],
};

export default nextConfig;

// The storage suites again, on Garage: the app's storage variables are pointed at the Garage that
// `npm test` started (`scripts/services up garage`), with STORAGE_BACKEND=garage. Nothing else changes:
// the same test files run, so both backends keep the same promises.
const port = process.env.GARAGE_S3_PORT;
if (!port || !process.env.GARAGE_ACCESS_KEY || !process.env.GARAGE_SECRET_KEY) {
  throw new Error(
    'The Garage storage suites need Garage: run them with `npm test`, or `scripts/services up garage` and its env first.',
  );
}
Object.assign(process.env, {
  STORAGE_BACKEND: 'garage',
  MINIO_ENDPOINT: '127.0.0.1',
  MINIO_PORT: port,
  MINIO_USE_SSL: 'false',
  MINIO_ACCESS_KEY: process.env.GARAGE_ACCESS_KEY,
  MINIO_SECRET_KEY: process.env.GARAGE_SECRET_KEY,
  MINIO_PUBLIC_URL: `http://127.0.0.1:${port}`,
});
delete process.env.MINIO_REGION;

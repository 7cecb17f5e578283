// Storage benchmark, for MinIO and Garage side by side (Garage when `scripts/services up garage` runs):
// bytes the app server receives for one 50 MB upload (through a counting TCP proxy in front of
// `next start`), upload throughput through the presigned POST over the same bytes put with the minio
// client directly (measured alternately), and the bytes a resumed 200 MB upload sends again.
import { randomBytes } from 'node:crypto';
import { createConnection, createServer } from 'node:net';
import { createSession, createUser, sessionCookieName } from '../lib/auth';
import { loadConfig } from '../lib/config';
import { closeDatabase, getDatabase } from '../lib/db';
import { closeRedis, getKeyValue } from '../lib/redis';
import { createOperationsClient, bucketNames } from '../lib/storage';
import { printTable, startNextServer } from './support';

const SIZE = 50 * 1024 * 1024;

/** A TCP proxy that counts the bytes clients send through it. */
async function countingProxy(targetPort: number) {
  let received = 0;
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    client.on('data', (chunk) => (received += chunk.length));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => received,
    reset: () => (received = 0),
    close: () => server.close(),
  };
}

/** The app's storage variables for a backend: MinIO as `npm run bench` started it, or its Garage. */
function storageEnv(backend: 'minio' | 'garage'): Record<string, string> {
  if (backend === 'minio') return {};
  const port = process.env.GARAGE_S3_PORT!;
  return {
    STORAGE_BACKEND: 'garage',
    MINIO_ENDPOINT: '127.0.0.1',
    MINIO_PORT: port,
    MINIO_ACCESS_KEY: process.env.GARAGE_ACCESS_KEY!,
    MINIO_SECRET_KEY: process.env.GARAGE_SECRET_KEY!,
    MINIO_PUBLIC_URL: `http://127.0.0.1:${port}`,
    MINIO_REGION: '',
  };
}

interface Measured {
  appBytes: number;
  resent: number;
  stoppedAt: number;
  postMbps: number;
  putMbps: number;
}

async function main() {
  const backends: Array<'minio' | 'garage'> = process.env.GARAGE_S3_PORT ? ['minio', 'garage'] : ['minio'];
  const results: Measured[] = [];
  let port = 3330;
  for (const backend of backends) results.push(await measure(storageEnv(backend), port++));
  const labels = backends.map((b) => (b === 'minio' ? 'MinIO' : 'Garage'));
  printTable(
    'Storage, per backend (measured in this run)',
    [
      ['bytes the app server received for one 50 MB upload', ...results.map((r) => `${r.appBytes} B`), '< 8 KB'],
      [
        'bytes re-sent after a reload at 40 % of a 200 MB upload, / file size',
        ...results.map((r) => `${r.resent.toFixed(2)} (stopped at ${r.stoppedAt.toFixed(2)})`),
        '< 0.65',
      ],
      ['presigned POST throughput', ...results.map((r) => `${r.postMbps.toFixed(0)} MB/s`), '-'],
      [
        'upload throughput: presigned POST / minio-js putObject',
        ...results.map((r) => (r.postMbps / r.putMbps).toFixed(2)),
        '≥ 0.9',
      ],
    ],
    ['measure', ...labels, 'goal'],
  );
  await closeRedis();
  await closeDatabase();
}

async function measure(env: Record<string, string>, appPort: number): Promise<Measured> {
  const config = loadConfig({ ...process.env, ...env });
  const db = await getDatabase(config.database);
  const user = await createUser(db, {
    email: `bench.${Date.now()}.${appPort}@zigznote.test`,
    name: 'Bench',
    passwordHash: 'scrypt$unused',
  });
  const { token } = (await createSession(getKeyValue(config.redis), user!.id))!;
  const cookie = `${sessionCookieName(true)}=${token}`;

  const app = await startNextServer('.', appPort, { RATE_LIMITS: 'api=100000/1m', ...env });
  const proxy = await countingProxy(appPort);
  const body = randomBytes(SIZE);
  const post = (path: string, json: unknown) =>
    fetch(`${proxy.url}${path}`, {
      method: 'POST',
      headers: { Cookie: cookie, 'Content-Type': 'application/json' },
      body: JSON.stringify(json),
    });

  // one upload as the browser does it: presign (app), bytes (storage), complete (app)
  proxy.reset();
  const presigned = (await (
    await post('/api/uploads', { bucket: 'audio', filename: 'bench.wav', contentType: 'audio/wav', size: SIZE })
  ).json()) as {
    uploadId: string;
    method: string;
    url: string;
    fields: Record<string, string>;
  };
  if (presigned.method !== 'POST') throw new Error(`expected a POST policy for ${SIZE} bytes, got ${presigned.method}`);
  const form = () => {
    const data = new FormData();
    for (const [name, value] of Object.entries(presigned.fields)) data.append(name, value);
    data.append('file', new Blob([new Uint8Array(body)], { type: 'audio/wav' }), 'bench.wav');
    return data;
  };
  const stored = await fetch(presigned.url, { method: 'POST', body: form() });
  if (stored.status !== 204) throw new Error(`storage answered ${stored.status}`);
  const completed = await post(`/api/uploads/${presigned.uploadId}/complete`, {});
  if (!completed.ok) throw new Error(`complete answered ${completed.status}`);
  const appBytes = proxy.received();

  // throughput: presigned POST (multipart/form-data to the public URL) over putObject (SDK, same bytes)
  const operations = createOperationsClient(config.storage);
  const bucket = bucketNames(config.storage.bucketPrefix).audio;
  let postSeconds = 0;
  let putSeconds = 0;
  for (let round = 0; round < 4; round++) {
    const postFirst = round % 2 === 0;
    for (const side of postFirst ? ['post', 'put'] : ['put', 'post']) {
      const started = performance.now();
      if (side === 'post') {
        const response = await fetch(presigned.url, { method: 'POST', body: form() });
        if (response.status !== 204) throw new Error(`storage answered ${response.status}`);
        postSeconds += (performance.now() - started) / 1000;
      } else {
        await operations.putObject(bucket, `bench/direct-${round}.wav`, body, SIZE, { 'Content-Type': 'audio/wav' });
        putSeconds += (performance.now() - started) / 1000;
      }
    }
  }
  const mbps = (seconds: number) => (4 * SIZE) / seconds / (1024 * 1024);

  // resume: a 200 MB multipart upload stopped once 40 % of its bytes are stored, then resumed as the
  // browser does after a reload (the server lists the parts storage holds; only the others are sent)
  const big = randomBytes(200 * 1024 * 1024);
  const fingerprint = `resume.wav|${big.length}|1`;
  const multipart = (await (
    await post('/api/uploads', {
      bucket: 'audio',
      filename: 'resume.wav',
      contentType: 'audio/wav',
      size: big.length,
      fingerprint,
    })
  ).json()) as {
    uploadId: string;
    partSize: number;
    partCount: number;
    parts: Array<{ partNumber: number; url: string }>;
  };
  const putPart = async (partNumber: number, url: string) => {
    const chunk = big.subarray((partNumber - 1) * multipart.partSize, partNumber * multipart.partSize);
    const response = await fetch(url, { method: 'PUT', body: new Uint8Array(chunk) });
    if (response.status !== 200) throw new Error(`part ${partNumber}: storage answered ${response.status}`);
    return { partNumber, etag: response.headers.get('etag')!, bytes: chunk.length };
  };
  let storedBeforeReload = 0;
  for (const { partNumber, url } of multipart.parts) {
    if (storedBeforeReload >= 0.4 * big.length) break;
    storedBeforeReload += (await putPart(partNumber, url)).bytes;
  }
  const resumed = (await (await post(`/api/uploads/${multipart.uploadId}/resume`, { fingerprint })).json()) as {
    uploadedParts: Array<{ partNumber: number; etag: string }>;
  };
  const have = new Set(resumed.uploadedParts.map((p) => p.partNumber));
  const missing = Array.from({ length: multipart.partCount }, (_, i) => i + 1).filter((n) => !have.has(n));
  let resentBytes = 0;
  const finished = [...resumed.uploadedParts];
  for (let i = 0; i < missing.length; i += 16) {
    const { parts } = (await (
      await post(`/api/uploads/${multipart.uploadId}/parts`, { partNumbers: missing.slice(i, i + 16) })
    ).json()) as {
      parts: Array<{ partNumber: number; url: string }>;
    };
    for (const { partNumber, url } of parts) {
      const sent = await putPart(partNumber, url);
      resentBytes += sent.bytes;
      finished.push(sent);
    }
  }
  const done = await post(`/api/uploads/${multipart.uploadId}/complete`, {
    parts: finished.map(({ partNumber, etag }) => ({ partNumber, etag })),
  });
  if (!done.ok) throw new Error(`resumed upload: complete answered ${done.status}`);

  proxy.close();
  await app.stop();
  return {
    appBytes,
    resent: resentBytes / big.length,
    stoppedAt: storedBeforeReload / big.length,
    postMbps: mbps(postSeconds),
    putMbps: mbps(putSeconds),
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

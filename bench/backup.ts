// Backup benchmark: p99 and p50 of GET /api/files (a user with 200 files, the cache off so every request
// reads Postgres) while the backup job runs back to back (backup.mjs, as the image runs it: pg_dump, every
// Redis key, upload to the storage server) over the same without a backup, in alternating rounds.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createSession, createUser, sessionCookieName } from '../lib/auth';
import { loadConfig } from '../lib/config';
import { closeDatabase, files, getDatabase } from '../lib/db';
import { closeRedis, getKeyValue } from '../lib/redis';
import { bucketNames, createOperationsClient } from '../lib/storage';
import { percentile, printTable, requestsPerSecond, startNextServer } from './support';

const FILES = 200;
const ROUNDS = 3;
const SECONDS = 4;
const CONCURRENCY = 8;

/** Runs the backup job again and again until stopped; answers how many sets it made. */
function backupsBackToBack(bucket: string): { stop(): Promise<number> } {
  let stopped = false;
  let made = 0;
  const loop = (async () => {
    while (!stopped) {
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn('node', ['backup.mjs', 'backup'], {
          cwd: '.next/standalone',
          env: { ...process.env, BACKUP_BUCKET: bucket },
          stdio: 'ignore',
        });
        child.once('exit', resolve);
      });
      if (code !== 0) throw new Error(`backup.mjs exited ${code}`);
      made++;
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return made;
    },
  };
}

async function main() {
  const config = loadConfig(process.env);
  const db = await getDatabase(config.database);
  const user = await createUser(db, {
    email: `bench.backup.${Date.now()}@zigznote.test`,
    name: 'Bench',
    passwordHash: 'scrypt$unused',
  });
  const userId = user!.id;
  const bucket = bucketNames(config.storage.bucketPrefix).audio;
  await db.insert(files).values(
    Array.from({ length: FILES }, (_, i) => ({
      ownerId: userId,
      bucket,
      objectKey: `${userId}/${randomUUID()}`,
      name: `take-${i}.mp3`,
      size: 1_000 + i,
      contentType: 'audio/mpeg',
    })),
  );
  const { token } = (await createSession(getKeyValue(config.redis), userId))!;
  const headers = { cookie: `${sessionCookieName(true)}=${token}` };
  const backups = `bench-backups-${randomUUID().slice(0, 8)}`;
  const storage = createOperationsClient(config.storage);
  await storage.makeBucket(backups, config.storage.region);
  const server = await startNextServer('.', 3341, { RATE_LIMITS: 'api=10000000/1m', CACHE_DISABLED: 'true' });
  const without: number[] = [];
  const during: number[] = [];
  let sets = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      without.push(...(await requestsPerSecond(`${server.url}/api/files`, SECONDS, CONCURRENCY, headers)).latenciesMs);
      const job = backupsBackToBack(backups);
      const run = await requestsPerSecond(`${server.url}/api/files`, SECONDS, CONCURRENCY, headers);
      sets += await job.stop();
      if (Object.keys(run.statuses).some((status) => status !== '200'))
        throw new Error(`/api/files during a backup: ${JSON.stringify(run.statuses)}`);
      during.push(...run.latenciesMs);
    }
  } finally {
    await server.stop();
    const names: string[] = [];
    for await (const item of storage.listObjectsV2(backups, '', true) as AsyncIterable<{ name: string }>)
      names.push(item.name);
    if (names.length > 0) await storage.removeObjects(backups, names);
    await storage.removeBucket(backups);
    await closeRedis();
    await closeDatabase();
  }
  without.sort((a, b) => a - b);
  during.sort((a, b) => a - b);
  const p = (values: number[], q: number) => percentile(values, q);
  printTable(
    `GET /api/files during backups (${FILES} files, cache off, ${CONCURRENCY} clients, ${ROUNDS}×${SECONDS} s each way, ${sets} sets made)`,
    [
      [
        'p99 during a backup / without',
        `${(p(during, 99) / p(without, 99)).toFixed(2)} (${p(during, 99).toFixed(1)} ms / ${p(without, 99).toFixed(1)} ms)`,
        'close to 1',
      ],
      [
        'p50 during a backup / without',
        `${(p(during, 50) / p(without, 50)).toFixed(2)} (${p(during, 50).toFixed(1)} ms / ${p(without, 50).toFixed(1)} ms)`,
        '-',
      ],
      ['requests measured without / during', `${without.length} / ${during.length}`, '-'],
    ],
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

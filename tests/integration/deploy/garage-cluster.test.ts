// The path beyond one machine: three Garage nodes on loopback, replication factor 3, one zone each, set up
// by docker/garage-init.mjs as a deployment would. Files uploaded through the app's own storage code stay
// whole and downloadable when a node stops, and new uploads keep working on the two left (Garage writes
// to a quorum of two of three).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type AppConfig } from '@/lib/config';
import { closeDatabase, getDatabase } from '@/lib/db';
import {
  bucketNames,
  completeUpload,
  createOperationsClient,
  createAppUploads,
  createSigningClient,
  downloadLink,
  requestUpload,
  type StorageDeps,
} from '@/lib/storage';
import type { PostUpload } from '@zigznote/uploads';
import { freePort } from '../../support/redis-server';
import { makeUser, postToStorage } from '../../support/storage';

const garageBin = process.env.ZZ_GARAGE_BIN;
const rpcSecret = randomBytes(32).toString('hex');
const adminToken = randomBytes(24).toString('hex');
const keyId = `GK${randomBytes(12).toString('hex')}`;
const secret = randomBytes(32).toString('hex');
const prefix = `cluster${randomBytes(3).toString('hex')}`;

interface Node {
  s3: number;
  rpc: number;
  admin: number;
  process: ChildProcess;
  log: string[];
}

const nodes: Node[] = [];
let deps: StorageDeps;
let owner: string;

async function admin(node: Node, path: string, body?: unknown) {
  const response = await fetch(`http://127.0.0.1:${node.admin}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function startNode(index: number): Promise<Node> {
  const [s3, rpc, adminPort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), `zz-garage-${index}-`));
  const config = join(dir, 'garage.toml');
  writeFileSync(
    config,
    `metadata_dir = "${dir}/meta"
data_dir = "${dir}/data"
db_engine = "sqlite"
replication_factor = 3
rpc_bind_addr = "127.0.0.1:${rpc}"
rpc_public_addr = "127.0.0.1:${rpc}"
rpc_secret = "${rpcSecret}"
[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:${s3}"
[admin]
api_bind_addr = "127.0.0.1:${adminPort}"
admin_token = "${adminToken}"
`,
    { mode: 0o600 },
  );
  // Garage's own variables (GARAGE_ADMIN_TOKEN, …) would override the file: the test's services env has some.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('GARAGE_')),
  ) as NodeJS.ProcessEnv;
  const child = spawn(garageBin!, ['-c', config, 'server'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const node: Node = { s3, rpc, admin: adminPort, process: child, log: [] };
  child.stdout!.on('data', (d) => node.log.push(String(d)));
  child.stderr!.on('data', (d) => node.log.push(String(d)));
  const deadline = Date.now() + 20_000;
  while (
    !(await admin(node, '/v2/GetClusterStatus').then(
      () => true,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`Garage node ${index} did not answer: ${node.log.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return node;
}

function runInit(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', ['docker/garage-init.mjs'], {
      env: {
        ...process.env,
        GARAGE_ADMIN_URL: `http://127.0.0.1:${nodes[0]!.admin}`,
        GARAGE_ADMIN_TOKEN: adminToken,
        GARAGE_APP_KEY_ID: keyId,
        GARAGE_APP_SECRET_KEY: secret,
        BUCKET_PREFIX: prefix,
        GARAGE_NODES: '3',
        GARAGE_ZONES: 'dc1,dc2,dc3',
        GARAGE_CAPACITY: '1000000000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

function storageConfigFor(node: Node): AppConfig['storage'] {
  const base = loadConfig(process.env).storage;
  return {
    ...base,
    backend: 'garage',
    endPoint: '127.0.0.1',
    port: node.s3,
    useSSL: false,
    accessKey: keyId,
    secretKey: secret,
    publicUrl: `http://127.0.0.1:${node.s3}`,
    region: 'garage',
    bucketPrefix: prefix,
  };
}

async function upload(size: number, name: string) {
  const content = randomBytes(size);
  const requested = await requestUpload(deps, owner, {
    bucket: 'audio',
    filename: name,
    contentType: 'audio/mpeg',
    size,
  });
  if (!requested.ok) throw new Error(requested.error);
  const post = requested.upload as PostUpload;
  const stored = await postToStorage(post.url, post.fields, content, 'audio/mpeg');
  expect(stored.status, stored.body).toBe(204);
  const completed = await completeUpload(deps, owner, requested.uploadId);
  if (!completed.ok) throw new Error(completed.error);
  return { id: completed.file.id, sha256: createHash('sha256').update(content).digest('hex') };
}

async function downloadedSha256(fileId: string): Promise<string> {
  const link = await downloadLink(deps, owner, fileId);
  if (!link.ok) throw new Error(link.error);
  const response = await fetch(link.url);
  expect(response.status).toBe(200);
  return createHash('sha256')
    .update(Buffer.from(await response.arrayBuffer()))
    .digest('hex');
}

beforeAll(async () => {
  expect(garageBin, 'ZZ_GARAGE_BIN (scripts/services env) names the Garage binary').toBeTruthy();
  for (let i = 0; i < 3; i++) nodes.push(await startNode(i));
  // the nodes find each other as a deployment's would: node 1 is told the others' addresses
  const ids = await Promise.all(
    nodes.map(async (node) => (await admin(node, '/v2/GetClusterStatus')).nodes[0].id as string),
  );
  const connected = await admin(nodes[0]!, '/v2/ConnectClusterNodes', [
    `${ids[1]}@127.0.0.1:${nodes[1]!.rpc}`,
    `${ids[2]}@127.0.0.1:${nodes[2]!.rpc}`,
  ]);
  expect(connected.map((c: { success: boolean }) => c.success)).toEqual([true, true]);
  const init = await runInit();
  expect(init.code, init.output).toBe(0);
  // The app talks to node 1; node 3 is the one that will stop.
  const config = storageConfigFor(nodes[0]!);
  deps = {
    db: await getDatabase(loadConfig(process.env).database),
    operations: createOperationsClient(config),
    signer: createSigningClient(config),
    uploads: createAppUploads(config, {
      operations: createOperationsClient(config),
      signing: createSigningClient(config),
    }),
    buckets: bucketNames(prefix),
    quotaBytes: config.quotaBytes,
  };
  owner = await makeUser(deps);
}, 120_000);

afterAll(async () => {
  for (const node of nodes) if (node.process.exitCode === null) node.process.kill('SIGKILL');
  await closeDatabase();
});

describe('a three-node Garage cluster, replication factor 3', () => {
  it('sets up with the init step: three nodes with a role, one per zone, and the buckets', async () => {
    const layout = await admin(nodes[0]!, '/v2/GetClusterLayout');
    expect(layout.roles).toHaveLength(3);
    expect(new Set(layout.roles.map((role: { zone: string }) => role.zone))).toEqual(new Set(['dc1', 'dc2', 'dc3']));
    for (const bucket of Object.values(bucketNames(prefix)))
      expect(await deps.operations.bucketExists(bucket)).toBe(true);
    // run again: nothing changes and nothing fails
    const again = await runInit();
    expect(again.code, again.output).toBe(0);
    expect((await admin(nodes[0]!, '/v2/GetClusterLayout')).version).toBe(layout.version);
  });

  it('loses no uploaded file when a node stops, and keeps taking new uploads', async () => {
    const before = [];
    for (let i = 0; i < 8; i++) before.push(await upload(50_000 + i * 1_000, `before-${i}.mp3`));

    const stopped = nodes[2]!;
    const exited = new Promise((resolve) => stopped.process.once('exit', resolve));
    stopped.process.kill('SIGKILL');
    await exited;

    for (const file of before) expect(await downloadedSha256(file.id)).toBe(file.sha256);
    const after = [];
    for (let i = 0; i < 4; i++) after.push(await upload(40_000 + i * 1_000, `after-${i}.mp3`));
    for (const file of after) expect(await downloadedSha256(file.id)).toBe(file.sha256);
  }, 120_000);
});

#!/usr/bin/env node
// Prepares a Garage cluster for the app through Garage's admin API (idempotent, safe to run again):
// gives every connected node without a role a storage role and applies the layout, imports the app's
// access key, and creates the app's buckets with *global* aliases (a bucket made through S3 gets only a
// local alias, whose CORS rules Garage's unauthenticated preflight cannot see), granting the key read,
// write and owner (owner lets the app write the buckets' CORS rules). Run by `scripts/services up garage`,
// by the compose file's garage-init step, and by the three-node test.
//
// Environment: GARAGE_ADMIN_URL, GARAGE_ADMIN_TOKEN, GARAGE_APP_KEY_ID, GARAGE_APP_SECRET_KEY,
// BUCKET_PREFIX (default zigznote), BUCKETS_FILE (the app's lib/storage/buckets.json), GARAGE_NODES (nodes
// to wait for, default 1), GARAGE_ZONE (default dc1; with GARAGE_ZONES=a,b,c the nodes are spread over those
// zones), GARAGE_CAPACITY (bytes per node, default 10 GB).

import { readFileSync } from 'node:fs';

const env = process.env;
const adminUrl = (env.GARAGE_ADMIN_URL ?? 'http://127.0.0.1:3903').replace(/\/$/, '');
const token = required('GARAGE_ADMIN_TOKEN');
const keyId = required('GARAGE_APP_KEY_ID');
const secret = required('GARAGE_APP_SECRET_KEY');
const prefix = env.BUCKET_PREFIX ?? 'zigznote';
// The app's bucket table, read, not restated: beside this script in the compose file, else in the checkout.
const bucketTable = JSON.parse(
  readFileSync(env.BUCKETS_FILE ?? new URL('../lib/storage/buckets.json', import.meta.url), 'utf8'),
);
const buckets = Object.keys(bucketTable)
  .filter((name) => name !== '$comment')
  .map((name) => `${prefix}-${name}`);
const expectedNodes = Number(env.GARAGE_NODES ?? 1);
const zones = (env.GARAGE_ZONES ?? env.GARAGE_ZONE ?? 'dc1')
  .split(',')
  .map((zone) => zone.trim())
  .filter(Boolean);
const capacity = Number(env.GARAGE_CAPACITY ?? 10_000_000_000);

function required(name) {
  const value = env[name];
  if (!value) fail(`${name} is not set`);
  return value;
}

function fail(message) {
  console.error(`garage-init: ${message}`);
  process.exit(1);
}

async function admin(method, path, body) {
  const response = await fetch(`${adminUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, json: text ? safeJson(text) : null, text };
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function ok(method, path, body) {
  const result = await admin(method, path, body);
  if (result.status >= 300) fail(`${method} ${path} answered ${result.status}: ${result.text.slice(0, 300)}`);
  return result.json;
}

async function waitFor(what, seconds, test) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      if (await test()) return;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) fail(`${what} did not happen within ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

await waitFor(`${expectedNodes} Garage node(s) connected`, 90, async () => {
  const status = await admin('GET', '/v2/GetClusterStatus');
  return status.status === 200 && status.json.nodes.filter((node) => node.isUp).length >= expectedNodes;
});

const status = await ok('GET', '/v2/GetClusterStatus');
const layout = await ok('GET', '/v2/GetClusterLayout');
const assigned = new Set(layout.roles.map((role) => role.id));
const staged = new Set(layout.stagedRoleChanges.map((change) => change.id));
const unassigned = status.nodes.filter((node) => node.isUp && !assigned.has(node.id) && !staged.has(node.id));
if (unassigned.length > 0 || staged.size > 0) {
  const roles = unassigned.map((node, i) => ({ id: node.id, zone: zones[i % zones.length], capacity, tags: [] }));
  if (roles.length > 0) await ok('POST', '/v2/UpdateClusterLayout', { roles });
  const applied = await ok('POST', '/v2/ApplyClusterLayout', { version: layout.version + 1 });
  console.log(`garage-init: layout version ${layout.version + 1} applied (${roles.length} node(s) given a role)`);
  void applied;
}

await waitFor('the cluster to be healthy', 90, async () => (await fetch(`${adminUrl}/health`)).status === 200);

const key = await admin('GET', `/v2/GetKeyInfo?id=${encodeURIComponent(keyId)}`);
if (key.status === 200) {
  console.log('garage-init: app key present');
} else {
  await ok('POST', '/v2/ImportKey', { accessKeyId: keyId, secretAccessKey: secret, name: 'zigznote-app' });
  console.log('garage-init: app key imported');
}

for (const bucket of buckets) {
  let info = await admin('GET', `/v2/GetBucketInfo?globalAlias=${encodeURIComponent(bucket)}`);
  if (info.status !== 200) {
    info = { json: await ok('POST', '/v2/CreateBucket', { globalAlias: bucket }) };
    console.log(`garage-init: bucket ${bucket} created`);
  }
  await ok('POST', '/v2/AllowBucketKey', {
    bucketId: info.json.id,
    accessKeyId: keyId,
    permissions: { read: true, write: true, owner: true },
  });
}
console.log(`garage-init: buckets ready (${buckets.join(', ')}), the app key may read, write and set their CORS rules`);

/**
 * Two minio-js clients: one that talks to MinIO on its internal address, and one that only signs URLs for
 * the public address browsers reach. The signer has its region set, so presigning never makes a network
 * call, and a presigned URL never names an internal host. Node-only.
 */
import { Client } from 'minio';
import type { AppConfig } from '../config';
import { processState } from '../runtime';
import type { DirectUploads } from '@zigznote/uploads';
import { createAppUploads } from './uploads';

type StorageConfig = AppConfig['storage'];

export function createOperationsClient(config: StorageConfig): Client {
  return new Client({
    endPoint: config.endPoint,
    port: config.port,
    useSSL: config.useSSL,
    accessKey: config.accessKey,
    secretKey: config.secretKey,
    region: config.region,
  });
}

export function createSigningClient(config: StorageConfig): Client {
  const publicUrl = new URL(config.publicUrl);
  const useSSL = publicUrl.protocol === 'https:';
  return new Client({
    endPoint: publicUrl.hostname,
    port: publicUrl.port ? Number(publicUrl.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: config.accessKey,
    secretKey: config.secretKey,
    region: config.region,
  });
}

const clientsByConfig = processState(
  'storage-clients',
  () => new Map<string, { operations: Client; signing: Client; uploads: DirectUploads }>(),
);

/** The process's clients for this configuration, made on first use. */
export function getStorageClients(config: StorageConfig) {
  const key = [config.endPoint, config.port, config.useSSL, config.accessKey, config.publicUrl, config.region].join(
    '|',
  );
  let clients = clientsByConfig.get(key);
  if (!clients) {
    const operations = createOperationsClient(config);
    const signing = createSigningClient(config);
    clients = { operations, signing, uploads: createAppUploads(config, { operations, signing }) };
    clientsByConfig.set(key, clients);
  }
  return clients;
}

export async function pingStorage(config: StorageConfig): Promise<void> {
  await getStorageClients(config).operations.listBuckets();
}

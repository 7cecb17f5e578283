/**
 * File storage on MinIO (S3-compatible): the operations and signing clients, and a liveness probe for
 * /api/health. Node-only.
 */
export { getStorageClients, createOperationsClient, createSigningClient, pingStorage } from './clients';

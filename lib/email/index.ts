/**
 * Email through AWS SES. For now: a liveness probe of the configured SES endpoint for /api/health.
 * Node-only.
 */
export { pingEmail } from './health';

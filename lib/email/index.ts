/**
 * Email through AWS SES: react-email templates rendered on Node, written to a durable outbox in Postgres
 * and sent by a worker through the SES v2 API (the SDK on Node; from Edge code, the aws4fetch transport in
 * ./transport-edge sends the same request), with retries for up to a day, within the SES send rate shared
 * by every instance, never to a suppressed address; SNS bounce, complaint and delivery events; and the
 * email check of /api/health. Node-only (Edge code imports ./transport-edge directly).
 */
export {
  sendEmail,
  sendWelcomeEmail,
  sendVerificationEmail,
  sendPasswordResetEmail,
  sendPasswordChangedEmail,
  sendAccountExistsEmail,
  sendUnlockAccountEmail,
  setMailer,
  getDeliveryState,
  getEmailStatus,
  outboxDeps,
  startEmailOutbox,
  stopEmailOutbox,
  type SendEmailInput,
  type SendResult,
} from './send';
export {
  attemptDelivery,
  claimDueEmails,
  deliverDueEmails,
  enqueueEmail,
  forgetIdempotencyKeys,
  hashRecipient,
  oldestDueAgeSeconds,
  recordDeliveryEvent,
  retryDelayMs,
  startOutboxWorker,
  type EmailStatus,
  type EmailStatusReport,
  type EnqueueResult,
  type OutboxDeps,
  type OutboxWorker,
} from './outbox';
export { renderEmail } from './render';
export { DatabaseSuppressionList, MemoryDeliveryState, RedisDeliveryState, type DeliveryState } from './delivery-state';
export { createSesTransport } from './transport-ses';
export { createEdgeTransport, type EdgeTransportOptions } from './transport-edge';
export { isRetryable, EmailSendError } from './errors';
export { verifySnsMessage, handleSnsMessage, sesEvent, isSnsUrl, stringToSign, clearCertificateCache, type SnsMessage, type SnsOutcome } from './sns';
export * as templates from './templates';
export type { EmailTransport, OutgoingEmail } from './types';
export { pingEmail } from './health';

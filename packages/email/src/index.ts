/**
 * @zigznote/email: email through AWS SES from a Next.js app, durable. react-email templates rendered on
 * Node, a Postgres outbox written in the request that causes the email (its own SQL migration), a worker
 * that sends within SES's rate with retries for a day, SNS bounce and complaint handling, and two SES v2
 * transports: the AWS SDK on Node, aws4fetch on the Edge (`@zigznote/email/edge`). Node-only entry.
 */
export { createMailer, type Mailer, type MailerOptions, type SendEmailInput } from './mailer.js';
export {
  createOutbox,
  hashRecipient,
  Outbox,
  type EmailStatus,
  type EmailStatusReport,
  type EnqueueResult,
  type OutboxOptions,
  type OutboxRow,
  type SuppressionList,
} from './outbox.js';
export { outboxMigrationSql, type OutboxTables } from './migration.js';
export { OutboxNotMigratedError, type SqlClient } from './sql.js';
export {
  attemptDelivery,
  claimDueEmails,
  deliverDueEmails,
  retryDelayMs,
  startOutboxWorker,
  waitForSendSlot,
  type DeliveryOptions,
  type DeliveryOutcome,
  type OutboxWorker,
  type OutboxWorkerOptions,
} from './delivery.js';
export {
  MemorySendRate,
  RedisSendRate,
  type RedisSendRateOptions,
  type ScriptingRedis,
  type SendRate,
} from './send-rate.js';
export { renderEmail } from './render.js';
export { createSesTransport, type SesTransportOptions } from './transport-ses.js';
export {
  createThreadedSesTransport,
  THREAD_EXITED,
  type ThreadedSesTransport,
  type ThreadedSesTransportOptions,
} from './transport-thread.js';
export { assessSesAccount, getSesAccount, type SesAccount, type SesAccountAssessment } from './account.js';
export { createEdgeTransport, type EdgeTransportOptions } from './transport-edge.js';
export { EmailSendError, isRetryable } from './errors.js';
export { sesSendEmailRequest, type EmailTransport, type OutgoingEmail } from './types.js';
export {
  clearCertificateCache,
  handleSnsMessage,
  isSnsUrl,
  sesEvent,
  stringToSign,
  verifySnsMessage,
  type SnsHandlerDeps,
  type SnsMessage,
  type SnsOutcome,
  type SnsVerifierOptions,
} from './sns.js';

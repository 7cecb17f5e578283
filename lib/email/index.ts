/**
 * Email through AWS SES: react-email templates rendered on Node, sent through the SDK (or, from Edge code,
 * the aws4fetch transport in ./transport-edge), exactly once, within the SES send rate, never to a
 * suppressed address; SNS bounce and complaint handling; and a liveness probe for /api/health. Node-only
 * (Edge code imports ./transport-edge directly).
 */
export {
  sendEmail,
  sendWelcomeEmail,
  sendVerificationEmail,
  sendPasswordResetEmail,
  sendPasswordChangedEmail,
  sendAccountExistsEmail,
  sendUnlockAccountEmail,
  sendAfterResponse,
  setMailer,
  getDeliveryState,
  type SendEmailInput,
} from './send';
export { renderEmail } from './render';
export { deliver, hashRecipient, type DeliveryOptions } from './delivery';
export { DatabaseSuppressionList, MemoryDeliveryState, RedisDeliveryState, type DeliveryState } from './delivery-state';
export { createSesTransport } from './transport-ses';
export { createEdgeTransport, type EdgeTransportOptions } from './transport-edge';
export { isRetryable, EmailSendError } from './errors';
export { verifySnsMessage, handleSnsMessage, addressesToSuppress, isSnsUrl, stringToSign, clearCertificateCache, type SnsMessage, type SnsOutcome } from './sns';
export * as templates from './templates';
export type { EmailTransport, OutgoingEmail, SendResult } from './types';
export { pingEmail } from './health';

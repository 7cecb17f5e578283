/**
 * @zigznote/email/edge: what Edge code (middleware, Edge route handlers) may import: the aws4fetch SES
 * transport, which sends pre-rendered HTML and text with Web APIs only, and the shapes it shares with the
 * Node entry. Rendering and the outbox stay on Node.
 */
export { createEdgeTransport, type EdgeTransportOptions } from './transport-edge.js';
export { EmailSendError, isRetryable } from './errors.js';
export { sesSendEmailRequest, type EmailTransport, type OutgoingEmail } from './types.js';

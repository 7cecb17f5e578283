/**
 * The shapes shared by the email transports and delivery. Edge-safe.
 */
export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  replyTo?: string;
  configurationSet?: string;
  tags?: Array<{ Name: string; Value: string }>;
}

export interface EmailTransport {
  readonly name: string;
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

export type SendResult =
  | { ok: true; status: 'sent'; messageId: string }
  | { ok: true; status: 'duplicate' }
  | { ok: false; status: 'suppressed' }
  | { ok: false; status: 'failed'; error: string };

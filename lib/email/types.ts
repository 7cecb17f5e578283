/**
 * The shapes shared by the email transports and delivery, and the SES message body both transports send.
 * Edge-safe.
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

/** Subject and both parts as SES v2 spells them in `Content.Simple`. */
export function sesMessage(email: OutgoingEmail) {
  return {
    Subject: { Data: email.subject, Charset: 'UTF-8' },
    Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
  };
}

/** Tags, or nothing: SES refuses an empty list. */
export function sesTags(email: OutgoingEmail) {
  return email.tags && email.tags.length > 0 ? email.tags : undefined;
}

/**
 * SES bounce and complaint notifications delivered by SNS. A message is believed only when its signature
 * verifies (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA) against the certificate at SigningCertURL,
 * and that URL is https on an SNS host (sns.<region>.amazonaws.com, and the configured region when set).
 * Any AWS account can sign a message for its own topic, so a message (and a subscription confirmation) is
 * believed only from a topic the operator configured, checked before anything is fetched. Subscription
 * confirmations are confirmed by fetching their SubscribeURL (same host rules). Permanent bounces and
 * complaints, from identity notifications (`notificationType`) or configuration-set event publishing
 * (`eventType`), put the recipients on the suppression list. Node-only.
 */
import { createVerify } from 'node:crypto';
import { z } from 'zod';

const snsMessageSchema = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string(),
  TopicArn: z.string(),
  Subject: z.string().optional(),
  Message: z.string(),
  Timestamp: z.string(),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string(),
  SigningCertURL: z.string(),
  SubscribeURL: z.string().optional(),
  Token: z.string().optional(),
});

export type SnsMessage = z.infer<typeof snsMessageSchema>;

export type SnsVerification = { ok: true; message: SnsMessage } | { ok: false; reason: string };

export interface SnsVerifierOptions {
  /** Only this region's SNS host is accepted when set. @default any region's */
  region?: string;
  /** Only these topics are believed; an empty list believes none. */
  topicArns: string[];
  /** Fetches a PEM certificate; called only with URLs that passed the host check. @default fetch over HTTPS, no redirects, 5 s */
  fetchCertificate?: (url: string) => Promise<string>;
}

const SNS_HOST = /^sns\.([a-z0-9-]{3,})\.amazonaws\.com(\.cn)?$/;

export function isSnsUrl(value: string, region?: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const match = SNS_HOST.exec(url.hostname);
  if (url.protocol !== 'https:' || url.port !== '' || !match) return false;
  return region === undefined || match[1] === region;
}

const certificates = new Map<string, Promise<string>>();

async function fetchCertificateOverHttps(url: string): Promise<string> {
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`certificate fetch answered ${response.status}`);
  const pem = await response.text();
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('not a PEM certificate');
  return pem;
}

/** The string SNS signs: `key\nvalue\n` for each signed field present, in this order. */
export function stringToSign(message: SnsMessage): string {
  const fields =
    message.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  let result = '';
  for (const field of fields) {
    const value = message[field as keyof SnsMessage];
    if (value === undefined) continue;
    result += `${field}\n${value}\n`;
  }
  return result;
}

export async function verifySnsMessage(body: unknown, options: SnsVerifierOptions): Promise<SnsVerification> {
  const parsed = snsMessageSchema.safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'not an SNS message' };
  const message = parsed.data;
  if (!isSnsUrl(message.SigningCertURL, options.region) || !message.SigningCertURL.endsWith('.pem')) {
    return { ok: false, reason: 'certificate URL is not an SNS host' };
  }
  if (!options.topicArns.includes(message.TopicArn)) return { ok: false, reason: 'not a configured topic' };
  const fetchCertificate = options.fetchCertificate ?? fetchCertificateOverHttps;
  let certificate = certificates.get(message.SigningCertURL);
  if (!certificate) {
    certificate = fetchCertificate(message.SigningCertURL);
    certificates.set(message.SigningCertURL, certificate);
    certificate.catch(() => certificates.delete(message.SigningCertURL));
  }
  let pem: string;
  try {
    pem = await certificate;
  } catch {
    return { ok: false, reason: 'certificate unavailable' };
  }
  const verifier = createVerify(message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  verifier.update(stringToSign(message), 'utf8');
  let valid = false;
  try {
    valid = verifier.verify(pem, message.Signature, 'base64');
  } catch {
    valid = false;
  }
  return valid ? { ok: true, message } : { ok: false, reason: 'signature does not verify' };
}

/** Forgets cached certificates (tests rotate them). */
export function clearCertificateCache(): void {
  certificates.clear();
}

const recipients = z.array(z.object({ emailAddress: z.string() }));
const sesNotificationSchema = z.object({
  // Identity notifications say notificationType; configuration-set event publishing says eventType.
  notificationType: z.string().optional(),
  eventType: z.string().optional(),
  mail: z.object({ messageId: z.string() }).partial().optional(),
  bounce: z.object({ bounceType: z.string(), bouncedRecipients: recipients }).optional(),
  complaint: z.object({ complainedRecipients: recipients }).optional(),
});

export interface SesEvent {
  /** What the notification says happened to the email SES sent with `messageId`. */
  outcome: 'delivered' | 'bounced' | 'complained' | 'transient-bounce' | 'other';
  messageId: string | undefined;
  /** Addresses never to send to again, with why (permanent bounces and complaints only). */
  suppress: Array<{ email: string; reason: string }>;
}

/** Reads an SES notification or event (the SNS message's Message). */
export function sesEvent(notificationJson: string): SesEvent {
  const none: SesEvent = { outcome: 'other', messageId: undefined, suppress: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(notificationJson);
  } catch {
    return none;
  }
  const parsed = sesNotificationSchema.safeParse(raw);
  if (!parsed.success) return none;
  const n = parsed.data;
  const kind = n.notificationType ?? n.eventType;
  const messageId = n.mail?.messageId;
  if (kind === 'Bounce' && n.bounce) {
    if (n.bounce.bounceType !== 'Permanent') return { outcome: 'transient-bounce', messageId, suppress: [] };
    return {
      outcome: 'bounced',
      messageId,
      suppress: n.bounce.bouncedRecipients.map((r) => ({ email: r.emailAddress, reason: 'bounce' })),
    };
  }
  if (kind === 'Complaint' && n.complaint) {
    return {
      outcome: 'complained',
      messageId,
      suppress: n.complaint.complainedRecipients.map((r) => ({ email: r.emailAddress, reason: 'complaint' })),
    };
  }
  if (kind === 'Delivery') return { outcome: 'delivered', messageId, suppress: [] };
  return { ...none, messageId };
}

export type SnsOutcome =
  | { status: 'suppressed'; count: number }
  | { status: 'confirmed' }
  | { status: 'recorded' }
  | { status: 'ignored' }
  | { status: 'rejected'; reason: string };

export interface SnsHandlerDeps extends SnsVerifierOptions {
  suppress: (email: string, reason: string) => Promise<void>;
  /** Records on the outbox row what SES said about the email it sent as `messageId`. */
  recordEvent?: (messageId: string, status: 'delivered' | 'bounced' | 'complained') => Promise<void>;
  /** Visits a SubscribeURL; only called with SNS URLs. */
  confirmSubscription?: (url: string) => Promise<void>;
}

/** Verifies one SNS delivery and acts on it. */
export async function handleSnsMessage(body: unknown, deps: SnsHandlerDeps): Promise<SnsOutcome> {
  const verified = await verifySnsMessage(body, deps);
  if (!verified.ok) return { status: 'rejected', reason: verified.reason };
  const message = verified.message;
  if (message.Type === 'SubscriptionConfirmation') {
    if (!message.SubscribeURL || !isSnsUrl(message.SubscribeURL, deps.region))
      return { status: 'rejected', reason: 'subscribe URL is not an SNS host' };
    const confirm =
      deps.confirmSubscription ??
      (async (url: string) => {
        const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(5_000) });
        if (!response.ok) throw new Error(`subscription confirmation answered ${response.status}`);
      });
    await confirm(message.SubscribeURL);
    return { status: 'confirmed' };
  }
  if (message.Type !== 'Notification') return { status: 'ignored' };
  const event = sesEvent(message.Message);
  for (const { email, reason } of event.suppress) await deps.suppress(email, reason);
  if (
    event.messageId &&
    deps.recordEvent &&
    (event.outcome === 'delivered' || event.outcome === 'bounced' || event.outcome === 'complained')
  ) {
    await deps.recordEvent(event.messageId, event.outcome);
  }
  if (event.suppress.length > 0) return { status: 'suppressed', count: event.suppress.length };
  return event.outcome === 'delivered' ? { status: 'recorded' } : { status: 'ignored' };
}

/**
 * The Node transport: SES v2 SendEmail through the AWS SDK (@aws-sdk/client-sesv2), the same request the
 * Edge transport signs with aws4fetch, so both runtimes speak one SES API. Credentials are the caller's,
 * or the SDK's default chain (IAM role, profile) resolved on first send, so making a transport never fails
 * for lack of keys. The SDK makes one attempt: retries are the outbox's, which knows whether the email
 * was already sent. Node-only.
 */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { EmailSendError } from './errors.js';
import { sesSendEmailRequest, type EmailTransport, type OutgoingEmail } from './types.js';

export interface SesTransportOptions {
  /** The SES region, e.g. `eu-west-1`. */
  region: string;
  /** Another SES v2 endpoint (a local stand-in). @default `https://email.<region>.amazonaws.com` */
  endpoint?: string;
  /** @default the SDK's default credential chain */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * How long a new connection to SES may take to open; one that does not fails as `ConnectTimeout`, which
   * the outbox retries without counting it as an unanswered send (nothing was sent). @default 5000
   */
  connectTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** The connect timeout asked for, or the default; refused in words when it is not a positive number. */
export function connectTimeoutOf(options: Pick<SesTransportOptions, 'connectTimeoutMs'>): number {
  const ms = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (!Number.isFinite(ms) || ms <= 0)
    throw new TypeError('connectTimeoutMs must be a positive number of milliseconds');
  return ms;
}

/** How the SDK's HTTP handler says a connection did not open in time (@smithy/node-http-handler). */
const NO_CONNECTION = /did not establish a connection/;

export function createSesTransport(options: SesTransportOptions | { client: SESv2Client }): EmailTransport {
  let client: SESv2Client;
  if ('client' in options) client = options.client;
  else {
    if (!options || typeof options.region !== 'string' || options.region === '')
      throw new TypeError('createSesTransport needs a region, e.g. { region: "eu-west-1" }');
    client = new SESv2Client({
      region: options.region,
      endpoint: options.endpoint,
      credentials: options.credentials,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: connectTimeoutOf(options) },
    });
  }
  return {
    name: 'ses-v2',
    async send(email: OutgoingEmail) {
      try {
        const result = await client.send(new SendEmailCommand(sesSendEmailRequest(email)));
        return { messageId: result.MessageId ?? '' };
      } catch (error) {
        if (error instanceof Error && error.name === 'TimeoutError' && NO_CONNECTION.test(error.message))
          throw new EmailSendError(error.message, 'ConnectTimeout', undefined);
        throw error;
      }
    },
  };
}

/**
 * The Node transport: SES v2 SendEmail through the AWS SDK (@aws-sdk/client-sesv2), the same request the
 * Edge transport signs with aws4fetch, so both runtimes speak one SES API. Credentials are the caller's,
 * or the SDK's default chain (IAM role, profile) resolved on first send, so making a transport never fails
 * for lack of keys. The SDK makes one attempt: retries are the outbox's, which knows whether the email
 * was already sent. Node-only.
 */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { sesSendEmailRequest, type EmailTransport, type OutgoingEmail } from './types.js';

export interface SesTransportOptions {
  /** The SES region, e.g. `eu-west-1`. */
  region: string;
  /** Another SES v2 endpoint (a local stand-in). @default `https://email.<region>.amazonaws.com` */
  endpoint?: string;
  /** @default the SDK's default credential chain */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

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
    });
  }
  return {
    name: 'ses-v2',
    async send(email: OutgoingEmail) {
      const result = await client.send(new SendEmailCommand(sesSendEmailRequest(email)));
      return { messageId: result.MessageId ?? '' };
    },
  };
}

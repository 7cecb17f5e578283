/**
 * The Edge transport: SES v2 `outbound-emails` signed with AWS Signature Version 4 by aws4fetch, using only
 * Web APIs (fetch, SubtleCrypto), so Edge code can send. It takes pre-rendered HTML and text: rendering
 * stays on Node. aws4fetch's own retries are off (it would re-POST and send twice); delivery retries.
 * Edge-safe.
 */
import { AwsClient } from 'aws4fetch';
import { EmailSendError } from './errors.js';
import { sesSendEmailRequest, type EmailTransport, type OutgoingEmail } from './types.js';

export interface EdgeTransportOptions {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** @default `https://email.<region>.amazonaws.com` */
  endpoint?: string;
}

export function createEdgeTransport(options: EdgeTransportOptions): EmailTransport {
  for (const field of ['region', 'accessKeyId', 'secretAccessKey'] as const) {
    if (typeof options?.[field] !== 'string' || options[field] === '')
      throw new TypeError(
        `createEdgeTransport needs ${field}: the Edge runtime has no AWS credential chain, so keys come in as options`,
      );
  }
  const client = new AwsClient({
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    region: options.region,
    service: 'ses',
    retries: 0,
  });
  const endpoint = (options.endpoint ?? `https://email.${options.region}.amazonaws.com`).replace(/\/$/, '');
  return {
    name: 'ses-v2-edge',
    async send(email: OutgoingEmail) {
      const body = sesSendEmailRequest(email);
      const response = await client.fetch(`${endpoint}/v2/email/outbound-emails`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        const detail = (await response.json().catch(() => ({}))) as { message?: string; __type?: string };
        const code =
          response.headers.get('x-amzn-errortype')?.split(':')[0] ?? detail.__type ?? `HTTP${response.status}`;
        throw new EmailSendError(detail.message ?? `SES answered ${response.status}`, code, response.status);
      }
      const result = (await response.json().catch(() => ({}))) as { MessageId?: string };
      return { messageId: result.MessageId ?? '' };
    },
  };
}

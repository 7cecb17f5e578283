/**
 * The Edge transport: SES v2 `outbound-emails` signed with AWS Signature Version 4 by aws4fetch, using only
 * Web APIs (fetch, SubtleCrypto), so Edge code can send. It takes pre-rendered HTML and text: rendering
 * stays on Node. aws4fetch's own retries are off (it would re-POST and send twice); delivery retries.
 * Edge-safe.
 */
import { AwsClient } from 'aws4fetch';
import { EmailSendError, sesErrorDetail } from './errors.js';
import {
  SES_SEND_EMAIL_PATH,
  sesEndpoint,
  sesSendEmailRequest,
  type EmailTransport,
  type OutgoingEmail,
} from './types.js';

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
  const url = `${sesEndpoint(options.region, options.endpoint)}${SES_SEND_EMAIL_PATH}`;
  return {
    name: 'ses-v2-edge',
    async send(email: OutgoingEmail) {
      const body = sesSendEmailRequest(email);
      const response = await client.fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        const body = await response.text().catch(() => '');
        const { code, message } = sesErrorDetail(response.status, response.headers.get('x-amzn-errortype'), body);
        throw new EmailSendError(message, code, response.status);
      }
      const result = (await response.json().catch(() => ({}))) as { MessageId?: string };
      return { messageId: result.MessageId ?? '' };
    },
  };
}

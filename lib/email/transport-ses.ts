/**
 * The Node transport: SES v2 SendEmail through the AWS SDK (@aws-sdk/client-sesv2), the same request the
 * Edge transport signs with aws4fetch, so both runtimes speak one SES API. Credentials come from
 * AWS_SES_ACCESS_KEY_ID and AWS_SES_SECRET_ACCESS_KEY when set, otherwise from the SDK's default chain
 * (IAM role, profile), resolved on first send, so importing this never fails for lack of keys. The SDK
 * makes one attempt: retries are the outbox's, which knows whether the email was already sent. Node-only.
 */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { AppConfig } from '../config';
import { sesSendEmailRequest, type EmailTransport, type OutgoingEmail } from './types';

export function createSesTransport(config: AppConfig['email']): EmailTransport {
  const client = new SESv2Client({
    region: config.region,
    endpoint: config.endpoint,
    credentials: config.credentials,
    maxAttempts: 1,
  });
  return {
    name: 'ses-v2',
    async send(email: OutgoingEmail) {
      const result = await client.send(new SendEmailCommand(sesSendEmailRequest(email)));
      return { messageId: result.MessageId ?? '' };
    },
  };
}

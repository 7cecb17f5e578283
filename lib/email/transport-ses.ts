/**
 * The Node transport: SES SendEmail through the AWS SDK. Credentials come from AWS_SES_ACCESS_KEY_ID and
 * AWS_SES_SECRET_ACCESS_KEY when set, otherwise from the SDK's default chain (IAM role, profile), resolved
 * on first send, so importing this never fails for lack of keys. The SDK makes one attempt: retries are
 * delivery's, which knows whether the email was already sent. Node-only.
 */
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { AppConfig } from '../config';
import { sesMessage, sesTags, type EmailTransport, type OutgoingEmail } from './types';

export function createSesTransport(config: AppConfig['email']): EmailTransport {
  const client = new SESClient({
    region: config.region,
    endpoint: config.endpoint,
    credentials: config.credentials,
    maxAttempts: 1,
  });
  return {
    name: 'ses',
    async send(email: OutgoingEmail) {
      const result = await client.send(
        new SendEmailCommand({
          Source: email.from,
          Destination: { ToAddresses: [email.to] },
          ReplyToAddresses: email.replyTo ? [email.replyTo] : undefined,
          ConfigurationSetName: email.configurationSet,
          Tags: sesTags(email),
          Message: sesMessage(email),
        }),
      );
      return { messageId: result.MessageId ?? '' };
    },
  };
}

// The emails the app sent, through @zigznote/playwright-kit's mailbox on the local SES endpoint (flows
// send after the response, so it waits). The vitest suites read the same store through tests/support.
import { createMailbox, type Email } from '@zigznote/playwright-kit';

export { emailsTo, uniqueAddress } from '../../tests/support/ses-store';
export type { Email };

const mailbox = () => createMailbox({ endpoint: process.env.AWS_SES_ENDPOINT! });

export function waitForEmail(address: string, subject: string, count = 1): Promise<Email> {
  return mailbox().waitForEmail(address, { subject, count, timeoutMs: 15_000 });
}

export function linkFrom(email: Email, path: string): string {
  return mailbox().linkIn(email, path);
}

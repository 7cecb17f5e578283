// The emails the app sent, through @zigznote/playwright-kit's mailbox on the local SES endpoint (flows
// send after the response, so it waits).
import { createMailbox, type Email } from '@zigznote/playwright-kit';

export { uniqueAddress } from '../../tests/support/ses-store';
export type { Email };

const mailbox = () => createMailbox({ endpoint: process.env.AWS_SES_ENDPOINT! });

export const emailsTo = (address: string): Promise<Email[]> => mailbox().emailsTo(address);

export function waitForEmail(address: string, subject: string, count = 1): Promise<Email> {
  return mailbox().waitForEmail(address, { subject, count, timeoutMs: 15_000 });
}

export function linkFrom(email: Email, path: string): string {
  return mailbox().linkIn(email, path);
}

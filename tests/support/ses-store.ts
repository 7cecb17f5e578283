// What the local SES endpoint (aws-ses-v2-local) received, for the vitest suites: @zigznote/playwright-kit's
// mailbox, which the browser suites use too.
import { createMailbox, linksIn, type Email } from '@zigznote/playwright-kit';

export type { Email };

const mailbox = () => createMailbox({ endpoint: process.env.AWS_SES_ENDPOINT! });

export const emailsTo = (address: string): Promise<Email[]> => mailbox().emailsTo(address);

export function uniqueAddress(label: string): string {
  return `${label}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@zigznote.test`;
}

/** The first link in a text or HTML body whose URL contains `path`. */
export function linkIn(body: string, path: string): string | null {
  return linksIn(body).find((link) => link.includes(path)) ?? null;
}

/** Waits until `count` emails to the address are in the store (the outbox worker sends after the call). */
export async function waitForEmails(address: string, count = 1, timeoutMs = 20_000): Promise<Email[]> {
  await mailbox().waitForEmail(address, { count, timeoutMs });
  return emailsTo(address);
}

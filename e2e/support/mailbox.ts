// Reads the emails the app sent from the local SES endpoint's store, waiting for ones sent after the
// response (flows send with after()).
import { expect } from '@playwright/test';

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
}

export async function emailsTo(address: string): Promise<StoredEmail[]> {
  const response = await fetch(new URL('/store', process.env.AWS_SES_ENDPOINT!));
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails.filter((email) => email.destination.to.some((to) => to.toLowerCase() === address.toLowerCase()));
}

export async function waitForEmail(address: string, subject: string, count = 1): Promise<StoredEmail> {
  let found: StoredEmail[] = [];
  await expect
    .poll(async () => {
      found = (await emailsTo(address)).filter((email) => email.subject === subject);
      return found.length;
    }, { timeout: 15_000, message: `waiting for "${subject}" to ${address}` })
    .toBeGreaterThanOrEqual(count);
  return found.sort((a, b) => a.at - b.at)[count - 1]!;
}

export function linkFrom(email: StoredEmail, path: string): string {
  const match = new RegExp(`https?://[^\\s"'<>\\]]*${path.replace(/[/?]/g, (c) => `\\${c}`)}[^\\s"'<>\\]]*`).exec(email.body.text ?? '');
  if (!match) throw new Error(`no ${path} link in "${email.subject}"`);
  return match[0];
}

export function uniqueAddress(label: string): string {
  return `${label}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@zigznote.test`;
}

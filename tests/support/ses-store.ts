// Reads back what the local SES endpoint (aws-ses-v2-local) received.
export interface StoredEmail {
  messageId: string;
  from: string;
  replyTo?: string[];
  destination: { to: string[]; cc?: string[]; bcc?: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
}

export async function emailsTo(address: string): Promise<StoredEmail[]> {
  const response = await fetch(new URL('/store', process.env.AWS_SES_ENDPOINT!));
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails.filter((email) => email.destination.to.some((to) => to.toLowerCase() === address.toLowerCase()));
}

export function uniqueAddress(label: string): string {
  return `${label}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@zigznote.test`;
}

export function linkIn(text: string | undefined, path: string): string | null {
  const match = new RegExp(`https?://[^\\s"'<>\\]]*${path.replace(/[/?]/g, (c) => `\\${c}`)}[^\\s"'<>\\]]*`).exec(text ?? '');
  return match ? match[0].replace(/&amp;/g, '&') : null;
}

/** Waits until `count` emails to the address are in the store (the outbox worker sends after the call). */
export async function waitForEmails(address: string, count = 1, timeoutMs = 20_000): Promise<StoredEmail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const emails = await emailsTo(address);
    if (emails.length >= count) return emails;
    if (Date.now() > deadline) throw new Error(`expected ${count} email(s) to ${address}, found ${emails.length}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Reads the emails the app sent from the local SES endpoint's store, waiting for ones sent after the
// response (flows send with after()).
import { expect } from '@playwright/test';
import { emailsTo, linkIn, type StoredEmail } from '../../tests/support/ses-store';

export { emailsTo, uniqueAddress, type StoredEmail } from '../../tests/support/ses-store';

export async function waitForEmail(address: string, subject: string, count = 1): Promise<StoredEmail> {
  let found: StoredEmail[] = [];
  await expect
    .poll(
      async () => {
        found = (await emailsTo(address)).filter((email) => email.subject === subject);
        return found.length;
      },
      { timeout: 15_000, message: `waiting for "${subject}" to ${address}` },
    )
    .toBeGreaterThanOrEqual(count);
  return found.sort((a, b) => a.at - b.at)[count - 1]!;
}

export function linkFrom(email: StoredEmail, path: string): string {
  const link = linkIn(email.body.text, path);
  if (!link) throw new Error(`no ${path} link in "${email.subject}"`);
  return link;
}

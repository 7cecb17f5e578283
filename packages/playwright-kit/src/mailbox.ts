/**
 * The emails an app sent, read back from the local SES endpoint (aws-ses-v2-local's `GET /store`): wait for
 * the next one to an address, then read its subject, text and links. Emails sent with `after()` or by an
 * outbox arrive after the response, so `waitForEmail` polls.
 */
export interface Email {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Every http(s) link in the text part, `&amp;` undone. */
  links: string[];
  /** Seconds since the epoch when the endpoint stored it. */
  at: number;
}

export interface WaitOptions {
  /** Only emails with this subject. @default any subject */
  subject?: string;
  /** Wait for the count-th such email (oldest first). @default 1 */
  count?: number;
  /** @default 15000 */
  timeoutMs?: number;
  /**
   * Only emails stored at most this long before the wait began are looked at, so a long run's store is not
   * read whole at every poll. @default 900 (15 minutes)
   */
  lookbackSeconds?: number;
}

export interface Mailbox {
  emailsTo(address: string): Promise<Email[]>;
  waitForEmail(address: string, options?: WaitOptions): Promise<Email>;
  /** The first link whose URL contains `fragment` (e.g. "/auth/verify-email?token="); throws when there is none. */
  linkIn(email: Email, fragment: string): string;
}

interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
}

const LINK = /https?:\/\/[^\s"'<>\]]+/g;

/**
 * Every http(s) URL in a text or HTML body, with `&amp;` undone, without the punctuation that ends the
 * sentence around it ("open it http://app.test/." is http://app.test/).
 */
export function linksIn(body: string): string[] {
  return [...body.matchAll(LINK)].map(([link]) => link.replace(/&amp;/g, '&').replace(/[.,;:!?)]+$/, ''));
}

export function createMailbox({ endpoint, pollMs = 100 }: { endpoint: string; pollMs?: number }): Mailbox {
  let store: URL;
  try {
    store = new URL('/store', endpoint);
  } catch {
    throw new TypeError(
      `createMailbox: \`endpoint\` must be the SES endpoint's URL (e.g. http://127.0.0.1:8005), got ${JSON.stringify(endpoint)}`,
    );
  }
  const toEmail = (email: StoredEmail): Email => ({
    messageId: email.messageId,
    from: email.from,
    to: email.destination.to,
    subject: email.subject,
    text: email.body.text ?? '',
    html: email.body.html ?? '',
    links: linksIn(email.body.text ?? ''),
    at: email.at,
  });
  /** The stored emails, or only those stored at or after `since` (seconds since the epoch). */
  const read = async (since?: number): Promise<StoredEmail[]> => {
    const url = new URL(store);
    if (since !== undefined) url.searchParams.set('since', String(since));
    const response = await fetch(url);
    if (!response.ok) throw new Error(`the SES endpoint's store answered ${response.status} at ${store.href}`);
    return ((await response.json()) as { emails: StoredEmail[] }).emails;
  };
  const addressedTo = (address: string) => {
    const wanted = address.toLowerCase();
    return (email: StoredEmail) => email.destination.to.some((to) => to.toLowerCase() === wanted);
  };
  const emailsTo = async (address: string): Promise<Email[]> =>
    (await read())
      .filter(addressedTo(address))
      .map(toEmail)
      .sort((a, b) => a.at - b.at);
  return {
    emailsTo,
    async waitForEmail(address, { subject, count = 1, timeoutMs = 15_000, lookbackSeconds = 900 } = {}) {
      const deadline = Date.now() + timeoutMs;
      const seen = new Map<string, Email>();
      // Each poll reads only what was stored since the newest second already read (the store grows all run).
      let since = Math.floor(Date.now() / 1000) - lookbackSeconds;
      for (;;) {
        for (const stored of await read(since)) {
          since = Math.max(since, stored.at);
          if (addressedTo(address)(stored)) seen.set(stored.messageId, toEmail(stored));
        }
        const found = [...seen.values()]
          .filter((email) => subject === undefined || email.subject === subject)
          .sort((a, b) => a.at - b.at);
        if (found.length >= count) return found[count - 1]!;
        if (Date.now() > deadline)
          throw new Error(
            `waited ${timeoutMs} ms for ${count} email(s)${subject ? ` "${subject}"` : ''} to ${address}; found ${found.length}`,
          );
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
    linkIn(email, fragment) {
      const link = email.links.find((candidate) => candidate.includes(fragment));
      if (!link) throw new Error(`no link containing ${fragment} in "${email.subject}"`);
      return link;
    },
  };
}

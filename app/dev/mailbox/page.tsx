import { desc } from 'drizzle-orm';
import { notFound } from 'next/navigation';
import { getConfig } from '@/lib/config';
import { emailOutbox, getDatabase } from '@/lib/db';
import { z } from 'zod';
import styles from './mailbox.module.css';

// The local mailbox: every email the app sent to the local SES endpoint, newest first, beside its outbox
// row (status and attempts), and the emails still waiting in the outbox. Development only: NODE_ENV is
// fixed at build time, so a production build answers 404 here.
export const dynamic = 'force-dynamic';

const storeSchema = z.object({
  emails: z.array(
    z.object({
      messageId: z.string(),
      from: z.string(),
      destination: z.object({ to: z.array(z.string()).default([]) }),
      subject: z.string(),
      body: z.object({ html: z.string().optional(), text: z.string().optional() }),
      at: z.number(),
    }),
  ),
});

export default async function MailboxPage({ searchParams }: { searchParams: Promise<{ id?: string }> }) {
  if (process.env.NODE_ENV === 'production') notFound();
  const endpoint = getConfig().email.endpoint;
  if (!endpoint) {
    return (
      <p>
        No local SES endpoint is configured: emails go to AWS SES. Start `npm run dev` without AWS_SES_* to use the
        local mailbox.
      </p>
    );
  }
  const { id } = await searchParams;
  let emails: z.infer<typeof storeSchema>['emails'] = [];
  let problem: string | null = null;
  try {
    const response = await fetch(new URL('/store', endpoint), { cache: 'no-store' });
    emails = storeSchema.parse(await response.json()).emails.sort((a, b) => b.at - a.at);
  } catch {
    problem = `The local SES endpoint at ${endpoint} did not answer.`;
  }
  const config = getConfig();
  const outbox = await (
    await getDatabase(config.database)
  )
    .select({
      id: emailOutbox.id,
      status: emailOutbox.status,
      attempts: emailOutbox.attempts,
      lastError: emailOutbox.lastError,
      recipient: emailOutbox.recipient,
      subject: emailOutbox.subject,
      sesMessageId: emailOutbox.sesMessageId,
    })
    .from(emailOutbox)
    .orderBy(desc(emailOutbox.createdAt))
    .limit(200)
    .catch(() => []);
  const rowOf = new Map(outbox.filter((row) => row.sesMessageId).map((row) => [row.sesMessageId!, row]));
  const unsent = outbox.filter((row) => !row.sesMessageId);
  const selected = emails.find((e) => e.messageId === id) ?? emails[0];
  return (
    <div className={styles.mailbox}>
      <h1>Local mailbox</h1>
      {problem && <p role="alert">{problem}</p>}
      {emails.length === 0 && !problem && <p>No email sent yet.</p>}
      {unsent.length > 0 && (
        <section aria-label="Outbox">
          <h2>Not sent yet</h2>
          <ul>
            {unsent.map((row) => (
              <li key={row.id}>
                {row.subject} to {row.recipient}: {row.status}, {row.attempts} attempt(s)
                {row.lastError ? ` (${row.lastError})` : ''}
              </li>
            ))}
          </ul>
        </section>
      )}
      <div className={styles.columns}>
        <ul className={styles.list}>
          {emails.map((email) => (
            <li key={email.messageId}>
              <a
                href={`?id=${encodeURIComponent(email.messageId)}`}
                aria-current={email === selected ? 'true' : undefined}
              >
                <strong>{email.subject}</strong>
                <span>to {email.destination.to.join(', ')}</span>
                {rowOf.get(email.messageId) && (
                  <span data-testid="outbox-status">
                    {rowOf.get(email.messageId)!.status} · {rowOf.get(email.messageId)!.attempts} attempt(s)
                  </span>
                )}
                <time dateTime={new Date(email.at * 1000).toISOString()}>
                  {new Date(email.at * 1000).toLocaleString()}
                </time>
              </a>
            </li>
          ))}
        </ul>
        {selected && (
          <article className={styles.message} aria-label="Selected email">
            <h2>{selected.subject}</h2>
            <p>
              From {selected.from} to {selected.destination.to.join(', ')}
            </p>
            <h3>HTML</h3>
            <iframe title="HTML part" sandbox="" srcDoc={selected.body.html ?? ''} className={styles.frame} />
            <h3>Text</h3>
            <pre className={styles.text}>{selected.body.text}</pre>
          </article>
        )}
      </div>
    </div>
  );
}

/**
 * The emails auth forms promise ("check your email"), committed to Postgres before the form answers. The
 * email itself is made after the answer, so registered and unknown addresses answer alike and in the same
 * time; a process that dies in between leaves the row, and the sweep makes the email on any instance.
 * Taking a request deletes its row in the transaction that queues its email: once, or not at all.
 * A sign-up's row carries the password's scrypt hash, never the password. Node-only.
 */
import type { SqlClient } from '@zigznote/email';

export type EmailRequest =
  | { kind: 'sign-up'; email: string; name: string; passwordHash: string }
  | { kind: 'verify'; email: string }
  | { kind: 'reset'; email: string }
  | { kind: 'unlock'; email: string; userId: string };

export type StoredEmailRequest = EmailRequest & { id: string };

interface Row {
  id: string;
  kind: EmailRequest['kind'];
  email: string;
  name: string | null;
  password_hash: string | null;
  user_id: string | null;
}

export async function recordEmailRequest(sql: SqlClient, request: EmailRequest): Promise<string> {
  const { rows } = await sql.query(
    'insert into auth_email_requests (kind, email, name, password_hash, user_id) values ($1, $2, $3, $4, $5) returning id',
    [
      request.kind,
      request.email,
      request.kind === 'sign-up' ? request.name : null,
      request.kind === 'sign-up' ? request.passwordHash : null,
      request.kind === 'unlock' ? request.userId : null,
    ],
  );
  return (rows[0] as { id: string }).id;
}

/**
 * Takes one request out of the table inside `tx`: this id, or the oldest one older than `olderThanMs` (the
 * sweep). Locked rows are skipped, so two processes never take the same one; null when there is none.
 */
export async function takeEmailRequest(
  tx: SqlClient,
  which: { id: string } | { olderThanMs: number },
): Promise<StoredEmailRequest | null> {
  const pick =
    'id' in which
      ? 'select id from auth_email_requests where id = $1 for update skip locked'
      : "select id from auth_email_requests where created_at < now() - ($1::int * interval '1 millisecond') order by created_at limit 1 for update skip locked";
  const { rows } = await tx.query(
    `delete from auth_email_requests where id = (${pick}) returning id, kind, email, name, password_hash, user_id`,
    ['id' in which ? which.id : Math.round(which.olderThanMs)],
  );
  const row = rows[0] as Row | undefined;
  if (!row) return null;
  switch (row.kind) {
    case 'sign-up':
      return {
        id: row.id,
        kind: 'sign-up',
        email: row.email,
        name: row.name ?? '',
        passwordHash: row.password_hash ?? '',
      };
    case 'unlock':
      return { id: row.id, kind: 'unlock', email: row.email, userId: row.user_id ?? '' };
    default:
      return { id: row.id, kind: row.kind, email: row.email };
  }
}

/**
 * Users in Postgres. Addresses are compared case-insensitively (a unique index on lower(email)).
 * Node-only.
 */
import { eq, sql } from 'drizzle-orm';
import type { SqlClient } from '@zigznote/email';
import { users, type Database, type User } from '../db';
import { isUuid } from '../runtime';

export async function findUserByEmail(db: Database, email: string): Promise<User | null> {
  const [user] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email.trim()})`)
    .limit(1);
  return user ?? null;
}

export async function findUserById(db: Database, id: string): Promise<User | null> {
  if (!isUuid(id)) return null;
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user ?? null;
}

/** Creates the user, or answers null when the address is taken (also by a concurrent sign-up). */
export async function createUser(
  db: Database,
  input: { email: string; name: string; passwordHash: string },
): Promise<User | null> {
  const [user] = await db
    .insert(users)
    .values({ email: input.email.trim(), name: input.name.trim(), passwordHash: input.passwordHash })
    .onConflictDoNothing()
    .returning();
  return user ?? null;
}

export async function markEmailVerified(db: Database, id: string): Promise<User | null> {
  const [user] = await db
    .update(users)
    .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`, updatedAt: sql`now()` })
    .where(eq(users.id, id))
    .returning();
  return user ?? null;
}

export async function updatePasswordHash(db: Database, id: string, passwordHash: string): Promise<void> {
  await db
    .update(users)
    .set({ passwordHash, updatedAt: sql`now()` })
    .where(eq(users.id, id));
}

const USER_COLUMNS = 'id, email, name, password_hash, email_verified_at, created_at, updated_at';

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  email_verified_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

function userFrom(row: UserRow | undefined): User | null {
  if (!row) return null;
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    emailVerifiedAt: row.email_verified_at ? new Date(row.email_verified_at) : null,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

// The same reads and insert on a caller's transaction (a plain `query()` client). Inside a transaction
// every query must use it: one on the pool could wait for a connection that transactions like it hold.

/** createUser in `tx`: null when the address is taken, also by a sign-up committed meanwhile. */
export async function insertUser(
  tx: SqlClient,
  input: { email: string; name: string; passwordHash: string },
): Promise<User | null> {
  const { rows } = await tx.query(
    `insert into users (email, name, password_hash) values ($1, $2, $3) on conflict do nothing returning ${USER_COLUMNS}`,
    [input.email.trim(), input.name.trim(), input.passwordHash],
  );
  return userFrom(rows[0] as UserRow | undefined);
}

export async function findUserByEmailIn(tx: SqlClient, email: string): Promise<User | null> {
  const { rows } = await tx.query(`select ${USER_COLUMNS} from users where lower(email) = lower($1) limit 1`, [
    email.trim(),
  ]);
  return userFrom(rows[0] as UserRow | undefined);
}

export async function findUserByIdIn(tx: SqlClient, id: string): Promise<User | null> {
  if (!isUuid(id)) return null;
  const { rows } = await tx.query(`select ${USER_COLUMNS} from users where id = $1`, [id]);
  return userFrom(rows[0] as UserRow | undefined);
}

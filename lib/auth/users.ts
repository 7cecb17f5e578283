/**
 * Users in Postgres. Addresses are compared case-insensitively (a unique index on lower(email)).
 * Node-only.
 */
import { eq, sql } from 'drizzle-orm';
import { users, type Database, type User } from '../db';
import { isUuid } from '../runtime/ids';

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
export async function createUser(db: Database, input: { email: string; name: string; passwordHash: string }): Promise<User | null> {
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

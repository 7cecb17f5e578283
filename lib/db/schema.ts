/**
 * The tables, as Drizzle schema. Migrations in ./migrations are generated from this file by
 * `npm run db:generate` (drizzle-kit) and applied at start-up. Node-only.
 */
import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // One account per address, whatever its case.
  (table) => [uniqueIndex('users_email_lower_unique').on(sql`lower(${table.email})`)],
);

export type User = typeof users.$inferSelect;

/** What an upload and a file both are: a user's object in a bucket, with its name and content type. */
const ownedObject = () => ({
  id: uuid('id').primaryKey().defaultRandom(),
  ownerId: uuid('owner_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  bucket: text('bucket').notNull(),
  objectKey: text('object_key').notNull(),
  name: text('name').notNull(),
  contentType: text('content_type').notNull(),
});

/** An upload the app presigned; the sweeps remove what ended uploads leave behind. */
export const uploads = pgTable(
  'uploads',
  {
    ...ownedObject(),
    declaredSize: bigint('declared_size', { mode: 'number' }).notNull(),
    /** The S3 multipart upload id, for uploads sent in parts. */
    multipartId: text('multipart_id'),
    partSize: integer('part_size'),
    partCount: integer('part_count'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /**
     * pending · completed · aborted · expired · rejected. An ended upload keeps its row until
     * `urlsValidUntil`, so whatever its URLs still put under its key is found and removed.
     */
    state: text('state').notNull().default('pending'),
    /** When the last URL signed for this upload stops working. */
    urlsValidUntil: timestamp('urls_valid_until', { withTimezone: true }),
    /** The browser's identity of the file (name, size, last modified): a resume must present the same. */
    fingerprint: text('fingerprint'),
  },
  (table) => [
    index('uploads_expires_at_idx').on(table.expiresAt),
    index('uploads_owner_state_idx').on(table.ownerId, table.state),
  ],
);

/** A stored file: an object in a bucket, owned by a user. */
export const files = pgTable(
  'files',
  {
    ...ownedObject(),
    size: bigint('size', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('files_owner_idx').on(table.ownerId, table.createdAt),
    uniqueIndex('files_object_unique').on(table.bucket, table.objectKey),
  ],
);

export type Upload = typeof uploads.$inferSelect;
export type StoredFile = typeof files.$inferSelect;

/**
 * Addresses SES must never be sent to again (permanent bounces, complaints). In Postgres, so the list
 * survives losing Redis: sending to a suppressed address again would hurt the sender's reputation.
 */
export const emailSuppressions = pgTable('email_suppressions', {
  /** Lower-cased and trimmed. */
  email: text('email').primaryKey(),
  reason: text('reason').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Every email the app was asked to send, written in the request that caused it and sent by the outbox
 * worker (@zigznote/email, whose own migration makes the same table). `idempotency_key` is unique while kept (7 days), then set to null.
 */
export const emailOutbox = pgTable(
  'email_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    idempotencyKey: text('idempotency_key'),
    /** SHA-256 of recipient, subject and both parts: the same key with other content is a conflict. */
    contentHash: text('content_hash').notNull(),
    template: text('template').notNull(),
    recipient: text('recipient').notNull(),
    sender: text('sender').notNull(),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    /** Reply-To, configuration set and tags. */
    options: jsonb('options'),
    /** queued · sending · sent · delivered · bounced · complained · suppressed · failed */
    status: text('status').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    lastError: text('last_error'),
    sesMessageId: text('ses_message_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('email_outbox_idempotency_key_unique').on(table.idempotencyKey),
    index('email_outbox_queued_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.status} = 'queued'`),
    index('email_outbox_leased_idx')
      .on(table.leaseUntil)
      .where(sql`${table.status} = 'sending'`),
    index('email_outbox_ses_message_sent_idx')
      .on(table.sesMessageId)
      .where(sql`${table.sesMessageId} is not null`),
  ],
);

export type OutboxRow = typeof emailOutbox.$inferSelect;

/**
 * What an auth form promised by email ("check your email"), committed before the form answered: the
 * email is made from it after the answer (so the answer's timing tells nothing), and a process that dies
 * first leaves the row for the sweep. A sign-up carries the password's scrypt hash, never the password.
 * Rows live seconds: each is deleted in the transaction that queues its email.
 */
export const authEmailRequests = pgTable(
  'auth_email_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    email: text('email').notNull(),
    name: text('name'),
    passwordHash: text('password_hash'),
    userId: uuid('user_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('auth_email_requests_created_at').on(table.createdAt)],
);

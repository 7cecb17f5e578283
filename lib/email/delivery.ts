/**
 * Delivers one logical email exactly once, or says why not. In order: a suppressed address is skipped;
 * the idempotency key is claimed (a retry or double submit of the same email finds it taken); the shared
 * send-rate budget is waited for; the transport is tried, with throttling and server errors retried after
 * exponential backoff with full jitter. A permanent failure is logged with the template name and a hash
 * of the recipient, never the address, token or link. Node-only.
 */
import { createHash } from 'node:crypto';
import type { DeliveryState } from './delivery-state';
import { isRetryable } from './errors';
import type { EmailTransport, OutgoingEmail, SendResult } from './types';

export interface DeliveryOptions {
  transport: EmailTransport;
  state: DeliveryState;
  sendRate: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  /** How long a sent email's key is remembered: a repeat within it is not sent again. */
  rememberSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function hashRecipient(email: string): string {
  return `sha256:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16)}`;
}

export async function deliver(
  email: OutgoingEmail,
  meta: { template: string; idempotencyKey: string },
  options: DeliveryOptions,
): Promise<SendResult> {
  const { transport, state } = options;
  const sleep = options.sleep ?? defaultSleep;
  const log = options.log ?? ((message: string) => console.error(message));
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 200;
  const remember = options.rememberSeconds ?? 24 * 3600;

  if (await state.isSuppressed(email.to)) return { ok: false, status: 'suppressed' };
  const claim = await state.claim(meta.idempotencyKey, remember);
  if (claim !== 'claimed') return { ok: true, status: 'duplicate' };

  let lastError: unknown;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    for (let wait = await state.takeToken(options.sendRate); wait > 0; wait = await state.takeToken(options.sendRate)) {
      await sleep(wait);
    }
    try {
      const { messageId } = await transport.send(email);
      await state.markSent(meta.idempotencyKey, remember);
      return { ok: true, status: 'sent', messageId };
    } catch (error) {
      lastError = error;
      if (!isRetryable(error) || attempt === maxAttempts) break;
      await sleep(Math.random() * baseDelayMs * 2 ** (attempt - 1));
    }
  }
  await state.release(meta.idempotencyKey);
  const code = (lastError as { name?: string; code?: string })?.code ?? (lastError as { name?: string })?.name ?? 'Error';
  log(`[email] not sent: template=${meta.template} recipient=${hashRecipient(email.to)} transport=${transport.name} error=${code}`);
  // The code only: SES messages can quote the recipient address.
  return { ok: false, status: 'failed', error: code };
}

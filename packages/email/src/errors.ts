/**
 * Which send failures are worth retrying: SES throttling ("Maximum sending rate exceeded") and server-side
 * errors. Anything else (a rejected message, an unverified sender, bad credentials) fails the same way
 * every time. Edge-safe.
 */
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'LimitExceededException']);

export class EmailSendError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly httpStatus: number | undefined,
  ) {
    super(message);
    this.name = 'EmailSendError';
  }
}

export function isRetryable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    httpStatus?: number;
    $retryable?: unknown;
  };
  const status = e.$metadata?.httpStatusCode ?? e.httpStatus;
  if (THROTTLING.has(e.name ?? '') || THROTTLING.has(e.code ?? '')) return true;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  // A refused connection proves nothing was sent; a timeout or reset may hide an accepted email. A send
  // lost with its worker thread is retried as one lost with its process would be (it may repeat).
  return e.code === 'ECONNREFUSED' || e.code === 'TransportThreadExited';
}

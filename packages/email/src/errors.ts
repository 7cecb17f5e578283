/**
 * Which send failures are worth retrying: SES throttling ("Maximum sending rate exceeded"), server-side
 * errors and connections refused or reset. Anything else (a rejected message, an unverified sender, bad credentials) fails the same way
 * every time. Edge-safe.
 */
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'LimitExceededException']);

const RETRIED_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'TransportThreadExited']);

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
  // A refused connection proves nothing was sent. A reset connection is most often a kept-alive socket the
  // server had just closed, before it read the request (one failed a sign-in email for good in CI); it may
  // also hide an accepted email, so it is retried as a timeout is, knowing it can repeat. A send lost with
  // its worker thread is retried as one lost with its process would be (it may repeat).
  return RETRIED_CODES.has(e.code ?? '');
}

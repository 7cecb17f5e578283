/**
 * Which send failures are worth retrying: SES throttling ("Maximum sending rate exceeded"), server-side
 * errors, and connections refused, reset, timed out or unreachable for now. Anything else (a rejected message, an unverified sender, bad
 * credentials) fails the same way every time. Also how an SES error answer reads. Edge-safe.
 */
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'LimitExceededException']);

/** Raised for sends a thread held when it exited: SES may or may not have accepted them, as with a crash. */
export const THREAD_EXITED = 'TransportThreadExited';

/** The connection failed before SES could take the email (nothing was sent): the network or DNS, for now. */
const UNREACHABLE_CODES = ['ECONNREFUSED', 'ConnectTimeout', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN'];

const RETRIED_CODES = new Set([...UNREACHABLE_CODES, 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', THREAD_EXITED]);

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

/**
 * What an SES v2 error answer says: the error's name (from `x-amzn-ErrorType`, else the body's `__type`,
 * else the HTTP status) and its message.
 */
export function sesErrorDetail(
  status: number,
  errorType: string | null | undefined,
  body: string,
): { code: string; message: string } {
  let detail: { message?: unknown; Message?: unknown; __type?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') detail = parsed;
  } catch {
    // Not JSON (a proxy's error page): the status names it.
  }
  const typeName = typeof detail.__type === 'string' ? detail.__type.split('#').pop() : undefined;
  const message = typeof detail.message === 'string' ? detail.message : detail.Message;
  return {
    code: errorType?.split(':')[0] || typeName || `HTTP${status}`,
    message: typeof message === 'string' ? message : `SES answered ${status}`,
  };
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
  // A refused or unreachable connection, or a name the resolver could not look up for now (EAI_AGAIN; not
  // ENOTFOUND, a wrong host name, which no retry mends), proves nothing was sent. A reset connection is
  // most often a kept-alive socket the server had just closed, before it read the request (one failed a
  // sign-in email for good in CI); it may also hide an accepted email, so it is retried as a timeout is
  // (ETIMEDOUT too), knowing it can repeat. A send lost with its worker thread is retried as one lost with
  // its process would be (it may repeat).
  return RETRIED_CODES.has(e.code ?? '');
}

/**
 * What never leaves in an error event: cookies, authorization headers, request bodies, and anything that
 * looks like a password, token or secret, wherever it hides (messages, URLs, query strings, extra data,
 * breadcrumbs). Applied as beforeSend/beforeBreadcrumb to server and browser events alike. Edge-safe.
 */
const SENSITIVE_KEY = /pass(word)?|token|secret|authorization|cookie|session|api[-_]?key|signature|credential/i;
const SENSITIVE_PAIR =
  /\b(pass(word)?|token|secret|session|api[-_]?key|signature|x-amz-signature|x-amz-credential)=([^&\s"';,)]+)/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const FILTERED = '[Filtered]';

export function scrubString(value: string): string {
  return value
    .replace(SENSITIVE_PAIR, (_m, key: string) => `${key}=${FILTERED}`)
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${FILTERED}`);
}

export function scrubValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return FILTERED;
  if (typeof value === 'string') return scrubString(value);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  if (value && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      result[key] = SENSITIVE_KEY.test(key) ? FILTERED : scrubValue(inner, depth + 1);
    }
    return result;
  }
  return value;
}

interface EventRequest {
  cookies?: unknown;
  data?: unknown;
  query_string?: unknown;
  url?: string;
}

export function scrubEvent<T extends object>(event: T): T {
  const request = (event as { request?: EventRequest }).request;
  if (request) {
    delete request.cookies;
    delete request.data;
    if (request.query_string) request.query_string = FILTERED;
    if (request.url) request.url = scrubString(request.url.split('?')[0] ?? '');
  }
  return scrubValue(event) as T;
}

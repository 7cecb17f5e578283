/**
 * The Content-Security-Policy of every page: scripts run only with this response's nonce (Next puts it on
 * its own scripts when it finds the policy on the request), and the scripts they load (`'strict-dynamic'`);
 * the browser may talk to this origin, the storage origin uploads go to, and the error tracker. No inline
 * script, no plugin, no framing, no `<base>` and no form posted elsewhere. Edge-safe: no Node import.
 */

export interface ContentSecurityPolicyOptions {
  /** This response's nonce (`newNonce()`): a fresh one for every response, never reused. */
  nonce: string;
  /** Origins the browser's own requests may reach besides this one: storage (presigned uploads), GlitchTip. */
  connectOrigins: readonly string[];
  /**
   * Development only: React's dev build evaluates code, the dev server's hot reload talks over a WebSocket,
   * and Next's overlay sets inline styles.
   */
  development?: boolean;
}

export const CONTENT_SECURITY_POLICY_HEADER = 'Content-Security-Policy';

/** 128 random bits, base64: what CSP Level 3 asks of a nonce. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/** The origin of each URL given (paths and credentials dropped), skipping the unset and the malformed. */
export function originsOf(urls: ReadonlyArray<string | undefined>): string[] {
  const origins = new Set<string>();
  for (const url of urls) {
    if (!url) continue;
    try {
      origins.add(new URL(url).origin);
    } catch {
      // Config validation refuses a malformed URL at start-up; nothing to allow here.
    }
  }
  return [...origins];
}

export function contentSecurityPolicy({
  nonce,
  connectOrigins,
  development = false,
}: ContentSecurityPolicyOptions): string {
  if (!/^[A-Za-z0-9+/]{16,}={0,2}$/.test(nonce))
    throw new Error('contentSecurityPolicy: the nonce must be base64 (use newNonce())');
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': [`'nonce-${nonce}'`, "'strict-dynamic'", ...(development ? ["'unsafe-eval'"] : [])],
    // Next's development overlay styles its elements inline; production styles come from stylesheets only.
    'style-src': development ? ["'self'", "'unsafe-inline'"] : ["'self'", `'nonce-${nonce}'`],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...connectOrigins, ...(development ? ['ws:', 'wss:'] : [])],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/**
 * CSRF defence for our own route handlers (server actions have Next's check): a state-changing request
 * from a browser must come from the app's origin. Browsers send Origin on every cross-origin POST, PUT,
 * PATCH and DELETE; a request with neither Origin nor a cross-site Sec-Fetch-Site is not from a browser
 * page and carries no ambient credentials risk. Edge-safe.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isCrossOriginWrite(
  method: string,
  headers: { get(name: string): string | null },
  appUrl: string,
): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return false;
  const origin = headers.get('origin');
  if (origin) return origin !== new URL(appUrl).origin;
  return headers.get('sec-fetch-site') === 'cross-site';
}

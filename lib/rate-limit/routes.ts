/**
 * Which route group a request belongs to: the auth pages' form posts (server actions post to the page's
 * own path) and every /api route. Health, the internal bridge and the error-tracking settings are never
 * limited, so monitoring and the Edge bridge keep working during a flood. Edge-safe.
 */
import { FORM_POST_GROUPS, type RouteGroup } from './policies';

/** The Edge middleware's way to the limiter: a Node-runtime route authenticated by a shared secret. */
export const BRIDGE_PATH = '/api/internal/rate-limit';
/** Where SNS delivers SES bounce and complaint notifications, authenticated by their signatures. */
export const SNS_PATH = '/api/email/sns';

// Monitoring, the Edge bridge, and what every page asks in the browser: the cached error-tracking
// settings, and whether it is signed in (/api/session limits itself, the `session` group, and only for
// cookies shaped like a session, so the many cookie-less asks cost no Redis call). SNS notifications are
// authenticated by their signatures and arrive in bursts from AWS's addresses.
export const UNLIMITED_API_PATHS = new Set([
  '/api/health',
  BRIDGE_PATH,
  '/api/observability',
  '/api/session',
  SNS_PATH,
]);

export function routeGroupOf(method: string, pathname: string): RouteGroup | null {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const formGroup = method === 'POST' ? FORM_POST_GROUPS.get(path) : undefined;
  if (formGroup) return formGroup;
  if (path !== '/api' && !path.startsWith('/api/')) return null;
  if (UNLIMITED_API_PATHS.has(path)) return null;
  // Presigning (the `uploads` group) is limited per user by its route handler, which knows the user.
  return 'api';
}

export function isApiPath(pathname: string): boolean {
  return pathname === '/api' || pathname.startsWith('/api/');
}

/**
 * The session cookie's names: `__Host-` in production (HTTPS only, no Domain, path /), plain over the
 * plain-HTTP development server. Read by the session code and, as the limiter's default, by middleware to
 * count `api` requests per user. Edge-safe.
 */
export const SESSION_COOKIE_PRODUCTION = '__Host-zigznote_session';
export const SESSION_COOKIE_DEVELOPMENT = 'zigznote_session';
export const SESSION_COOKIE_NAMES = [SESSION_COOKIE_PRODUCTION, SESSION_COOKIE_DEVELOPMENT] as const;

/**
 * What Edge code (middleware) needs of auth: the session cookie's names and the cross-origin write check.
 * Edge-safe.
 */
export { SESSION_COOKIE_PRODUCTION, sessionCookieName } from './cookie-names';
export { isCrossOriginWrite } from './origin';

/**
 * The session cookie's name: `__Host-` in production (HTTPS only, no Domain, path /), plain over the
 * plain-HTTP development server. One name per mode, read and written by the session code and middleware
 * alike: production never reads the plain name, which any sibling subdomain or plain-HTTP page of the
 * parent domain can set (session fixation), and nothing ever copies a cookie from one name to the other.
 * Edge-safe.
 */
export const SESSION_COOKIE_PRODUCTION = '__Host-zigznote_session';
export const SESSION_COOKIE_DEVELOPMENT = 'zigznote_session';

export function sessionCookieName(isProduction: boolean): string {
  return isProduction ? SESSION_COOKIE_PRODUCTION : SESSION_COOKIE_DEVELOPMENT;
}

/**
 * A signed-in page without clicking through the sign-in form: the test makes a session the way the app
 * does (a function of yours, e.g. one that calls your session store), and the kit puts its cookie on the
 * browser context with the attributes the app itself sets (host-only, path /, HttpOnly, SameSite=Lax,
 * Secure where the name or the scheme asks for it), so the first navigation is already signed in.
 */
import type { BrowserContext, Page } from '@playwright/test';

export interface SessionCookie {
  name: string;
  value: string;
  /** @default true */
  httpOnly?: boolean;
  /** @default 'Lax' */
  sameSite?: 'Strict' | 'Lax' | 'None';
  /** Seconds since the epoch. @default a session cookie */
  expires?: number;
  /**
   * @default true on https, and for a `__Host-` or `__Secure-` name, which browsers accept only Secure
   * (on http they take them from localhost and 127.0.0.1 only, as they do from the app itself)
   */
  secure?: boolean;
}

export async function signInContext(context: BrowserContext, baseURL: string, cookie: SessionCookie): Promise<void> {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new TypeError(`signInContext needs the app's base URL (got ${JSON.stringify(baseURL)})`);
  }
  if (!cookie?.name || !cookie.value) throw new TypeError('signInContext needs the session cookie: { name, value }');
  const secure = cookie.secure ?? (url.protocol === 'https:' || /^__(Host|Secure)-/.test(cookie.name));
  // By URL: a host-only cookie with path /, as a `__Host-` name requires. Chromium refuses a Secure
  // cookie set for an http URL, so it is set for the https one of the same host; it is sent to both.
  await context.addCookies([
    {
      name: cookie.name,
      value: cookie.value,
      url: `${secure ? 'https:' : url.protocol}//${url.host}/`,
      httpOnly: cookie.httpOnly ?? true,
      secure,
      sameSite: cookie.sameSite ?? 'Lax',
      expires: cookie.expires ?? -1,
    },
  ]);
}

/** A new page in a new context, signed in with the session `createSession` makes. */
export async function signedInPage(
  browser: { newContext(options?: { baseURL?: string }): Promise<BrowserContext> },
  baseURL: string,
  createSession: () => Promise<SessionCookie>,
): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  await signInContext(context, baseURL, await createSession());
  return context.newPage();
}

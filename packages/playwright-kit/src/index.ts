/**
 * @zigznote/playwright-kit: what a self-hosted Next.js app's own end-to-end suite needs beside Playwright.
 */
export { watchAppRequests, type RequestWatch, type RequestWatchLimits } from './request-watch.js';
export { createMailbox, linksIn, type Email, type Mailbox, type WaitOptions } from './mailbox.js';
export { resetRateLimits } from './rate-limits.js';
export { emptyBucket, type BucketClient } from './bucket.js';
export { signedInPage, signInContext, type SessionCookie } from './signed-in.js';
export { systemChromium, type SystemChromiumOptions } from './chromium.js';

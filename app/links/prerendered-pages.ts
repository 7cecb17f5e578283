/**
 * The pages the build prerenders: the only link targets that may be prefetched (see app-link.tsx). An
 * end-to-end test compares this list with the build's prerender manifest, so a page that turns dynamic
 * (or static) cannot drift from it.
 */
export const PRERENDERED_PAGES = ['/', '/auth/forgot-password', '/auth/login', '/auth/signup'] as const;

const prerendered = new Set<string>(PRERENDERED_PAGES);

/** True for a link whose path (query and fragment aside) is a prerendered page. */
export function isPrerenderedPage(href: string): boolean {
  const path = href.split(/[?#]/, 1)[0] ?? '';
  return prerendered.has(path === '' ? '/' : path);
}

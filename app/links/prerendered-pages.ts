/**
 * The pages the build prerenders: the only link targets that may be prefetched (see app-link.tsx). An
 * end-to-end test compares this list with the build's prerender manifest, so a page that turns dynamic
 * (or static) cannot drift from it.
 */
// None since the Content-Security-Policy (issue 26): every page renders per request with its own nonce.
// The rule stays, so a page made static again is not prefetched until this table names it.
export const PRERENDERED_PAGES: readonly string[] = [];

const prerendered = new Set<string>(PRERENDERED_PAGES);

/** True for a link whose path (query and fragment aside) is a prerendered page. */
export function isPrerenderedPage(href: string): boolean {
  const path = href.split(/[?#]/, 1)[0] ?? '';
  return prerendered.has(path === '' ? '/' : path);
}

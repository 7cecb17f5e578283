import Link from 'next/link';
import type { ComponentProps } from 'react';
import { isPrerenderedPage } from './prerendered-pages';

/**
 * Every link of the app. It prefetches only pages that are prerendered: a link to a per-user, dynamic page
 * never prefetches. Why: Next 16.4 marks a server action's answer on a prerendered page as a prerender
 * (`x-nextjs-prerender: 1`) even when the action redirects to a dynamic page, the client router then takes
 * the target for a static route and prefetches it segment by segment, and drops the dynamic answers
 * without reading their bodies — fetches that stay pending until the next full page load
 * (docs/nextjs-prefetch-after-action-redirect.md). ESLint allows `next/link` nowhere else.
 */
export function AppLink({ href, ...props }: Omit<ComponentProps<typeof Link>, 'prefetch' | 'href'> & { href: string }) {
  return <Link href={href} prefetch={isPrerenderedPage(href) ? undefined : false} {...props} />;
}

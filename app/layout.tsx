import type { Metadata } from 'next';
import { AppLink } from '@/app/links/app-link';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { SiteNav } from './site-nav';
import './globals.css';

export const metadata: Metadata = {
  title: 'zigznote',
  description: 'Notes, audio and files on a stack you host yourself.',
};

// Every page renders per request: its scripts carry the nonce of that response's Content-Security-Policy
// (middleware.ts), which a page prerendered at build time cannot know.
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <AppLink href="/" className="brand">
            zigznote
          </AppLink>
          <SiteNav />
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}

import type { Metadata } from 'next';
import { AppLink } from '@/app/links/app-link';
import type { ReactNode } from 'react';
import { SiteNav } from './site-nav';
import './globals.css';

export const metadata: Metadata = {
  title: 'zigznote',
  description: 'Notes, audio and files on a stack you host yourself.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
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

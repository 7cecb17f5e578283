import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { ErrorReporting } from './error-reporting';
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
          <a href="/" className="brand">
            zigznote
          </a>
        </header>
        <main>{children}</main>
        <ErrorReporting />
      </body>
    </html>
  );
}

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
          <nav aria-label="Main" className="site-nav">
            <a href="/files">Files</a>
            <a href="/account">Account</a>
            <a href="/auth/login">Log in</a>
            <a href="/auth/signup">Sign up</a>
          </nav>
        </header>
        <main>{children}</main>
        <ErrorReporting />
      </body>
    </html>
  );
}

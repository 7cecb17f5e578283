import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
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
          <Link href="/" className="brand">
            zigznote
          </Link>
          <nav aria-label="Main" className="site-nav">
            <Link href="/files">Files</Link>
            <Link href="/account">Account</Link>
            <Link href="/auth/login">Log in</Link>
            <Link href="/auth/signup">Sign up</Link>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}

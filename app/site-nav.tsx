'use client';

import { AppLink } from '@/app/links/app-link';
import { usePathname } from 'next/navigation';
import { useActionState, useEffect, useState } from 'react';
import type { FormState } from '@/lib/auth/client';
import { logOutAction } from './account/actions';

// The header is the same HTML for every visitor (pages stay static); whether to offer Account and Log out
// or Log in and Sign up is asked of /api/session in the browser, again after each navigation.
export function SiteNav() {
  const pathname = usePathname();
  const [signedIn, setSignedIn] = useState<boolean | null>(null);
  const [, logOut] = useActionState<FormState, FormData>(logOutAction, {});
  useEffect(() => {
    let current = true;
    fetch('/api/session', { cache: 'no-store' })
      .then((response) => response.json() as Promise<{ signedIn: boolean }>)
      .then((body) => current && setSignedIn(body.signedIn))
      .catch(() => current && setSignedIn(false));
    return () => {
      current = false;
    };
  }, [pathname]);
  return (
    <nav aria-label="Main" className="site-nav">
      <AppLink href="/files">Files</AppLink>
      {signedIn === true && (
        <>
          <AppLink href="/account">Account</AppLink>
          <form action={logOut} className="nav-form">
            <button type="submit" className="nav-button">
              Log out
            </button>
          </form>
        </>
      )}
      {signedIn === false && (
        <>
          <AppLink href="/auth/login">Log in</AppLink>
          <AppLink href="/auth/signup">Sign up</AppLink>
        </>
      )}
    </nav>
  );
}

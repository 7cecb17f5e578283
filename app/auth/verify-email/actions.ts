'use server';

import { redirect } from 'next/navigation';
import { verifyEmail, verifyEmailSchema } from '@/lib/auth';
import { formAction } from '@/lib/auth';
import { getAuthDeps } from '@/lib/auth';

// Verifying proves the inbox, not the password: no session here, the person logs in next.
export const verifyEmailAction = formAction(verifyEmailSchema, async ({ token }) => {
  const result = await verifyEmail(await getAuthDeps(), token);
  if (!result.ok) return { error: result.error, code: result.code };
  redirect('/auth/login?notice=verified');
});

'use server';

import { redirect } from 'next/navigation';
import { unlockAccount, unlockAccountSchema } from '@/lib/auth';
import { formAction } from '@/lib/auth';
import { getAuthDeps, signIn } from '@/lib/auth';

// The link was mailed only after the right password was entered on the locked account: redeeming it
// lets that login through.
export const unlockAccountAction = formAction(unlockAccountSchema, async ({ token }, { ip }) => {
  const result = await unlockAccount(await getAuthDeps(), token, ip);
  if (!result.ok) return { error: result.error, code: result.code };
  if (!(await signIn(result.user, result.authenticatedAt))) redirect('/auth/login');
  redirect('/account?notice=unlocked');
});

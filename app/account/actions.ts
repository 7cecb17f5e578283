'use server';

import { redirect } from 'next/navigation';
import { changePassword, changePasswordSchema } from '@/lib/auth';
import { formAction } from '@/lib/auth';
import { getAuthDeps, getCurrentSession, signOut, signOutEverywhere } from '@/lib/auth';
import { z } from 'zod';

export const changePasswordAction = formAction(changePasswordSchema, async (input, { ip }) => {
  const session = await getCurrentSession();
  if (!session) redirect('/auth/login');
  const result = await changePassword(await getAuthDeps(), session, input, ip);
  return result.ok
    ? { ok: true, message: 'Your password was changed. Every other session was signed out.', values: {} }
    : {
        error: result.error,
        code: result.code,
        fieldErrors: result.code === 'wrong-password' ? { currentPassword: result.error } : undefined,
      };
});

export const logOutAction = formAction(z.object({}), async () => {
  await signOut();
  redirect('/auth/login?notice=signed-out');
});

export const logOutEverywhereAction = formAction(z.object({}), async () => {
  await signOutEverywhere();
  redirect('/auth/login?notice=signed-out');
});

'use server';

import { redirect } from 'next/navigation';
import { verifyEmail, verifyEmailSchema } from '@/lib/auth';
import { formAction } from '@/lib/auth/form-action';
import { getAuthDeps, signIn } from '@/lib/auth/server';

export const verifyEmailAction = formAction(verifyEmailSchema, async ({ token }) => {
  const result = await verifyEmail(await getAuthDeps(), token);
  if (!result.ok) return { error: result.error, code: result.code };
  await signIn(result.user.id);
  redirect('/account?notice=verified');
});

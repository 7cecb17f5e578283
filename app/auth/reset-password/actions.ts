'use server';

import { redirect } from 'next/navigation';
import { resetPassword, resetPasswordSchema } from '@/lib/auth';
import { formAction } from '@/lib/auth';
import { getAuthDeps } from '@/lib/auth';

export const resetPasswordAction = formAction(resetPasswordSchema, async (input, { ip }) => {
  const result = await resetPassword(await getAuthDeps(), input, ip);
  if (!result.ok) return { error: result.error, code: result.code };
  redirect('/auth/login?notice=reset');
});

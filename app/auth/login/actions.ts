'use server';

import { redirect } from 'next/navigation';
import { emailOnlySchema, logIn, logInSchema, MESSAGES, resendVerification } from '@/lib/auth';
import { formAction } from '@/lib/auth';
import { getAuthDeps, signIn } from '@/lib/auth';

export const logInAction = formAction(logInSchema, async (input, { ip }) => {
  const result = await logIn(await getAuthDeps(), input, ip);
  if (!result.ok) return { error: result.error, code: result.code };
  if (!(await signIn(result.user, result.authenticatedAt))) return { error: MESSAGES.sessionsRevoked, code: 'revoked' };
  redirect('/account');
});

export const resendVerificationAction = formAction(emailOnlySchema, async (input, { ip }) => {
  const result = await resendVerification(await getAuthDeps(), input, ip);
  return result.ok ? { ok: true, message: result.message } : { error: result.error, code: result.code };
});

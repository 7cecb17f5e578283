'use server';

import { redirect } from 'next/navigation';
import { emailOnlySchema, logIn, logInSchema, resendVerification } from '@/lib/auth';
import { formAction } from '@/lib/auth/form-action';
import { getAuthDeps, signIn } from '@/lib/auth/server';

export const SESSION_RACED_MESSAGE = 'Your sessions were just ended (a password change or reset). Log in again.';

export const logInAction = formAction(logInSchema, async (input, { ip }) => {
  const result = await logIn(await getAuthDeps(), input, ip);
  if (!result.ok) return { error: result.error, code: result.code };
  if (!(await signIn(result.user.id, result.authenticatedAt))) return { error: SESSION_RACED_MESSAGE, code: 'revoked' };
  redirect('/account');
});

export const resendVerificationAction = formAction(emailOnlySchema, async (input, { ip }) => {
  const result = await resendVerification(await getAuthDeps(), input, ip);
  return result.ok ? { ok: true, message: result.message } : { error: result.error, code: result.code };
});

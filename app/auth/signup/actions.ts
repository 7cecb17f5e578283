'use server';

import { getAuthDeps } from '@/lib/auth';
import { formAction } from '@/lib/auth';
import { signUp, signUpSchema } from '@/lib/auth';

export const signUpAction = formAction(signUpSchema, async (input) => {
  const result = await signUp(await getAuthDeps(), input);
  return result.ok ? { ok: true, message: result.message, values: {} } : { error: result.error, code: result.code };
});

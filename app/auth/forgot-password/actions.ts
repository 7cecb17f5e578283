'use server';

import { emailOnlySchema, requestPasswordReset } from '@/lib/auth';
import { formAction } from '@/lib/auth';
import { getAuthDeps } from '@/lib/auth';

export const forgotPasswordAction = formAction(emailOnlySchema, async (input, { ip }) => {
  const result = await requestPasswordReset(await getAuthDeps(), input, ip);
  return result.ok ? { ok: true, message: result.message } : { error: result.error, code: result.code };
});

/**
 * The one shape every form's server action has: honour a rate-limit verdict from middleware, validate the
 * FormData with zod (field errors go back to the form, with what was typed, passwords excepted), then run
 * the handler with the client's address. Handlers return a FormState; they throw only for bugs and
 * unavailable infrastructure, which become a generic message here instead of a broken page. Node-only.
 */
import { headers } from 'next/headers';
import { unstable_rethrow } from 'next/navigation';
import type { z } from 'zod';
import { clientIpFromHeaders, readVerdict } from '../rate-limit';

export interface FormState {
  ok?: boolean;
  message?: string;
  error?: string;
  code?: string;
  fieldErrors?: Record<string, string>;
  values?: Record<string, string>;
}

const SECRET_FIELDS = /password|token/i;

function echo(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of formData.entries()) {
    if (typeof value === 'string' && !key.startsWith('$') && !SECRET_FIELDS.test(key))
      values[key] = value.slice(0, 1000);
  }
  return values;
}

export function formAction<Schema extends z.ZodType<Record<string, unknown>>>(
  schema: Schema,
  handler: (data: z.infer<Schema>, context: { ip: string }) => Promise<FormState>,
) {
  return async (_previous: FormState, formData: FormData): Promise<FormState> => {
    const values = echo(formData);
    const requestHeaders = await headers();
    const verdict = readVerdict(requestHeaders);
    if (verdict) return { error: verdict.message, code: 'limited', values };
    const parsed = schema.safeParse(Object.fromEntries(formData.entries()));
    if (!parsed.success) {
      const fieldErrors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? 'form');
        fieldErrors[field] ??= issue.message;
      }
      return { error: 'Please correct the fields marked below.', code: 'invalid', fieldErrors, values };
    }
    try {
      const state = await handler(parsed.data, { ip: clientIpFromHeaders(requestHeaders) });
      return { values, ...state };
    } catch (error) {
      // redirect() and friends work by throwing: let them through.
      unstable_rethrow(error);
      console.error(`[auth] action failed: ${error instanceof Error ? error.name : 'error'}`);
      return { error: 'Something went wrong on our side. Please try again in a moment.', code: 'unavailable', values };
    }
  };
}

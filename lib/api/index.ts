/**
 * What every JSON route handler needs: RFC 9457 problem responses, a JSON body read with a size limit and
 * validated with zod (a bad body is a 400 that names the field, never a 500), and `jsonRoute`, which
 * turns a service that does not answer into a 503 the client can act on instead of a 500. The signed-in
 * user or a 401 is auth's (`requireUser` in lib/auth/server). Node-only.
 */
import { unstable_rethrow } from 'next/navigation';
import type { z } from 'zod';
import { captureException } from '../observability';

export { problem, problemFor } from './problem';
import { problemFor, problem } from './problem';
import type { Result } from '../result';

/** A failure that carries the response to send, and says why in words too. */
function failed(response: Response, error: string) {
  return { ok: false as const, error, response };
}

/**
 * The body as text, or null once it is over `maxBytes`: a declared Content-Length over the cap is refused
 * before reading, and a body streamed without one stops being read at the cap.
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string | null> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return null;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJson<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
  maxBytes = 64 * 1024,
): Promise<Result<{ data: z.infer<Schema> }, { response: Response }>> {
  const text = await readBodyText(request, maxBytes);
  if (text === null)
    return failed(
      problemFor(413, `The request body is over ${maxBytes} bytes.`),
      `The request body is over ${maxBytes} bytes.`,
    );
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    return failed(problemFor(400, 'The request body is not valid JSON.'), 'The request body is not valid JSON.');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => ({
      field: issue.path.join('.') || '(body)',
      message: issue.message,
    }));
    const error = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
    return failed(problem(400, 'Bad Request', error, { fields }), error);
  }
  return { ok: true, data: parsed.data };
}

/**
 * Wraps a route handler: an exception (Postgres, Redis or MinIO not answering, or a bug) becomes a 503
 * problem with Retry-After, is logged by name only, and goes to error tracking when it is configured.
 */
export function jsonRoute<Args extends unknown[]>(handler: (...args: Args) => Promise<Response>) {
  return async (...args: Args): Promise<Response> => {
    try {
      return await handler(...args);
    } catch (error) {
      unstable_rethrow(error);
      console.error(`[api] request failed: ${error instanceof Error ? error.name : 'error'}`);
      captureException(error);
      const response = problemFor(503, 'A service this request needs is not answering. Please try again in a moment.');
      response.headers.set('Retry-After', '5');
      return response;
    }
  };
}

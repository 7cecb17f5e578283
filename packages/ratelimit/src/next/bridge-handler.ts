/**
 * The Node end of the Edge bridge: a route handler (`export const POST = createBridgeHandler(…)`) that
 * answers a batch of checks with the limiter's decisions. Anyone without the secret gets 404, as if the
 * route did not exist; a malformed batch gets 400 and decides nothing. Keep the route out of your rate
 * limits and your middleware's matcher: it is called once per batch, by your own middleware.
 */
import type { Decide, LimitCheck } from './types.js';

export interface BridgeHandlerOptions<G extends string> {
  /** The secret `bridgeDecide` sends; a function is read per request. Unset: the route answers 404. */
  secret: string | undefined | (() => string | undefined);
  decide: Decide<G>;
  /** Which group names exist; a check naming another is refused (400). */
  isGroup: (name: string) => name is G;
  /** @default 64 */
  maxBatch?: number;
}

const encoder = new TextEncoder();

/** Compares digests, so neither the time taken nor a length difference tells anything about the secret. */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all(
    [given, expected].map((value) => crypto.subtle.digest('SHA-256', encoder.encode(value))),
  );
  const left = new Uint8Array(a!);
  const right = new Uint8Array(b!);
  let difference = 0;
  for (let i = 0; i < left.length; i++) difference |= left[i]! ^ right[i]!;
  return difference === 0;
}

const notFound = () => new Response(null, { status: 404 });
const badRequest = (detail: string) =>
  new Response(JSON.stringify({ type: 'about:blank', title: 'Bad Request', status: 400, detail }), {
    status: 400,
    headers: { 'Content-Type': 'application/problem+json' },
  });

export function createBridgeHandler<G extends string>(
  options: BridgeHandlerOptions<G>,
): (request: Request) => Promise<Response> {
  const maxBatch = options.maxBatch ?? 64;
  return async (request) => {
    const secret = typeof options.secret === 'function' ? options.secret() : options.secret;
    const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
    if (!secret || !(await sameSecret(token, secret))) return notFound();
    const body = (await request.json().catch(() => null)) as { checks?: unknown } | null;
    const checks = body?.checks;
    if (!Array.isArray(checks) || checks.length === 0 || checks.length > maxBatch)
      return badRequest(`expected { checks: [1 to ${maxBatch} of { group, ip, sessionToken? }] }`);
    const valid: Array<LimitCheck<G>> = [];
    for (const check of checks as Array<Record<string, unknown>>) {
      const { group, ip, sessionToken } = check ?? {};
      if (typeof group !== 'string' || !options.isGroup(group))
        return badRequest(`unknown group ${JSON.stringify(group)}`);
      if (typeof ip !== 'string' || ip.length === 0 || ip.length > 100)
        return badRequest('ip must be 1 to 100 characters');
      if (sessionToken !== undefined && (typeof sessionToken !== 'string' || sessionToken.length > 200))
        return badRequest('sessionToken must be at most 200 characters');
      valid.push({ group, ip, sessionToken: sessionToken as string | undefined });
    }
    const decisions = await Promise.all(valid.map((check) => options.decide(check)));
    return Response.json({
      decisions: decisions.map(({ allowed, status, headers, retryAfterSeconds }) => ({
        allowed,
        status,
        headers,
        retryAfterSeconds,
      })),
    });
  };
}

import { getConfig } from '@/lib/config';
import { getDeliveryState, handleSnsMessage } from '@/lib/email';

// SES bounce and complaint notifications, delivered by SNS (which posts JSON as text/plain). Believed only
// when the SNS signature verifies; the signature, not the Origin header, is what authenticates this route.
export const dynamic = 'force-dynamic';

const MAX_BODY_BYTES = 256 * 1024;

export async function POST(request: Request) {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return Response.json({ title: 'Payload Too Large', status: 413 }, { status: 413 });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return Response.json({ title: 'Bad Request', status: 400, detail: 'expected an SNS message (JSON)' }, { status: 400 });
  }
  const config = getConfig();
  const state = getDeliveryState();
  const outcome = await handleSnsMessage(body, {
    region: config.email.region,
    topicArn: config.email.snsTopicArn,
    suppress: (email, reason) => state.suppress(email, reason),
  }).catch(() => ({ status: 'failed' as const }));
  if (outcome.status === 'rejected') return Response.json({ title: 'Forbidden', status: 403, detail: outcome.reason }, { status: 403 });
  // SNS retries on 5xx: a failure to act (e.g. Redis down) is worth its retry.
  if (outcome.status === 'failed') return Response.json({ title: 'Service Unavailable', status: 503 }, { status: 503 });
  return Response.json({ status: outcome.status });
}

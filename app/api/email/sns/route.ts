import { problemFor, readBodyText } from '@/lib/api';
import { getConfig } from '@/lib/config';
import { handleSnsMessage } from '@zigznote/email';
import { getOutbox } from '@/lib/email';

// SES bounce and complaint notifications, delivered by SNS (which posts JSON as text/plain). Believed only
// from the topics the operator configured and when the SNS signature verifies; the signature, not the
// Origin header, is what authenticates this route. With no topic configured the route does not exist.
export const dynamic = 'force-dynamic';

// SNS messages are at most 256 KB; the envelope adds a little.
const MAX_BODY_BYTES = 300 * 1024;

export async function POST(request: Request) {
  const config = getConfig();
  if (config.email.snsTopicArns.length === 0)
    return problemFor(404, 'No SNS topic is configured (AWS_SES_SNS_TOPIC_ARN).');
  const text = await readBodyText(request, MAX_BODY_BYTES);
  if (text === null) return problemFor(413, `An SNS message is at most ${MAX_BODY_BYTES} bytes.`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return problemFor(400, 'Expected an SNS message (JSON).');
  }
  const outcome = await getOutbox()
    .then((outbox) =>
      handleSnsMessage(body, {
        region: config.email.region,
        topicArns: config.email.snsTopicArns,
        suppress: (email, reason) => outbox.suppressions.suppress(email, reason),
        recordEvent: (messageId, status) => outbox.recordDeliveryEvent(messageId, status),
      }),
    )
    .catch(() => ({ status: 'failed' as const }));
  if (outcome.status === 'rejected') return problemFor(403, outcome.reason);
  // SNS retries on 5xx: a failure to act (e.g. Postgres down) is worth its retry.
  if (outcome.status === 'failed') return problemFor(503, 'The notification could not be recorded; SNS will retry.');
  return Response.json({ status: outcome.status });
}

/**
 * Whether the email endpoint answers. With an endpoint override (the local SES endpoint) any HTTP answer
 * from it counts; against AWS, a GetAccount call (SES v2) proves both reachability and credentials.
 * Node-only.
 */
import { GetAccountCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { AppConfig } from '../config';

export async function pingEmail(config: AppConfig['email'], signal?: AbortSignal): Promise<void> {
  if (config.endpoint) {
    const response = await fetch(new URL('/health-check', config.endpoint), { signal });
    // Only the local endpoint has /health-check; any HTTP answer shows the endpoint is up.
    if (response.status >= 500) throw new Error(`SES endpoint answered ${response.status}`);
    return;
  }
  const client = new SESv2Client({ region: config.region, credentials: config.credentials });
  try {
    await client.send(new GetAccountCommand({}), { abortSignal: signal });
  } finally {
    client.destroy();
  }
}

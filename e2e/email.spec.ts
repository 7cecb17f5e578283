import { expect, test } from './support/test';
import { SNS_TOPIC_ARN } from '../playwright.config';

test.describe('email routes in a production build', () => {
  test('the local mailbox does not exist', async ({ page }) => {
    const response = await page.goto('/dev/mailbox');
    expect(response?.status()).toBe(404);
  });

  test('the SNS endpoint refuses what is not a signed SNS message', async ({ request }) => {
    const garbage = await request.post('/api/email/sns', {
      data: 'not json',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(garbage.status()).toBe(400);
    const unsigned = await request.post('/api/email/sns', {
      headers: { 'Content-Type': 'text/plain' },
      data: JSON.stringify({
        Type: 'Notification',
        MessageId: '1',
        TopicArn: SNS_TOPIC_ARN,
        Message: '{}',
        Timestamp: new Date().toISOString(),
        SignatureVersion: '1',
        Signature: 'AAAA',
        SigningCertURL: 'https://evil.test/cert.pem',
      }),
    });
    expect(unsigned.status()).toBe(403);
    expect((await unsigned.json()).detail).toBe('certificate URL is not an SNS host');
  });

  test("the SNS endpoint refuses another account's topic, caps the body, and is not in the per-IP api limit", async ({
    request,
  }) => {
    const foreign = await request.post('/api/email/sns', {
      headers: { 'Content-Type': 'text/plain' },
      data: JSON.stringify({
        Type: 'SubscriptionConfirmation',
        MessageId: '2',
        TopicArn: 'arn:aws:sns:us-east-1:999999999999:attacker',
        Message: 'subscribe',
        Timestamp: new Date().toISOString(),
        SignatureVersion: '1',
        Signature: 'AAAA',
        SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem',
        SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription',
        Token: 't',
      }),
    });
    expect(foreign.status()).toBe(403);
    expect((await foreign.json()).detail).toBe('not a configured topic');
    const huge = await request.post('/api/email/sns', {
      headers: { 'Content-Type': 'text/plain' },
      data: 'x'.repeat(400 * 1024),
    });
    expect(huge.status()).toBe(413);
    // more posts than the api limit (100 a minute per address) allows: none is refused by the limiter
    const statuses = await Promise.all(
      Array.from({ length: 120 }, () =>
        request
          .post('/api/email/sns', { data: 'not json', headers: { 'Content-Type': 'text/plain' } })
          .then((r) => r.status()),
      ),
    );
    expect(statuses.filter((status) => status === 429)).toEqual([]);
  });
});

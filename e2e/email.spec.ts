import { expect, test } from '@playwright/test';

test.describe('email routes in a production build', () => {
  test('the local mailbox does not exist', async ({ page }) => {
    const response = await page.goto('/dev/mailbox');
    expect(response?.status()).toBe(404);
  });

  test('the SNS endpoint refuses what is not a signed SNS message', async ({ request }) => {
    const garbage = await request.post('/api/email/sns', { data: 'not json', headers: { 'Content-Type': 'text/plain' } });
    expect(garbage.status()).toBe(400);
    const unsigned = await request.post('/api/email/sns', {
      headers: { 'Content-Type': 'text/plain' },
      data: JSON.stringify({
        Type: 'Notification',
        MessageId: '1',
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:t',
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
});

import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('the SNS route without a configured topic', () => {
  it('does not exist: 404 before reading the body, so nobody can suppress addresses', async () => {
    vi.stubEnv('AWS_SES_SNS_TOPIC_ARN', '');
    const { POST } = await import('@/app/api/email/sns/route');
    const response = await POST(
      new Request('http://localhost/api/email/sns', { method: 'POST', body: '{"Type":"Notification"}' }),
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      status: 404,
      detail: expect.stringContaining('AWS_SES_SNS_TOPIC_ARN'),
    });
  });

  it('exists once a topic is configured (a bad body is then a 400)', async () => {
    vi.stubEnv('AWS_SES_SNS_TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:ses-bounces');
    const { POST } = await import('@/app/api/email/sns/route');
    const response = await POST(new Request('http://localhost/api/email/sns', { method: 'POST', body: 'not json' }));
    expect(response.status).toBe(400);
  });
});

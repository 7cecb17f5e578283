import { describe, expect, it } from 'vitest';
import { scrubEvent, scrubString } from '@/lib/observability';

describe('error events are scrubbed', () => {
  it('drops cookies, bodies and query strings from the request', () => {
    const event = scrubEvent({
      request: {
        url: 'https://app.example.com/auth/reset-password?token=abc123',
        query_string: 'token=abc123',
        cookies: { session: 's3cr3t' },
        data: { password: 'hunter2' },
        headers: { Cookie: 'session=s3cr3t', Authorization: 'Bearer xyz', 'User-Agent': 'test' },
      },
    });
    const text = JSON.stringify(event);
    for (const secret of ['abc123', 's3cr3t', 'hunter2', 'xyz']) expect(text).not.toContain(secret);
    expect(event.request.url).toBe('https://app.example.com/auth/reset-password');
    expect(event.request.headers['User-Agent']).toBe('test');
  });

  it('filters secrets inside messages, exception values and extra data', () => {
    const event = scrubEvent({
      message: 'failed with password=hunter2 and Bearer eyJhbGciOi.x.y',
      exception: { values: [{ value: 'reset token=tok_123 expired' }] },
      extra: { sessionToken: 'abc', nested: { apiKey: 'k', note: 'fine' } },
    });
    const text = JSON.stringify(event);
    for (const secret of ['hunter2', 'eyJhbGciOi', 'tok_123', '"abc"', '"k"']) expect(text).not.toContain(secret);
    expect(text).toContain('fine');
    expect(scrubString('x=1&token=abc&y=2')).toBe('x=1&token=[Filtered]&y=2');
  });
});

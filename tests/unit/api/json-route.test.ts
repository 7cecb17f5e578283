import { describe, expect, it, vi } from 'vitest';
import { jsonRoute } from '@/lib/api';

describe('route handlers wrapped by jsonRoute', () => {
  it('answer what the handler answers', async () => {
    const route = jsonRoute(async (name: string) => Response.json({ hello: name }));
    expect(await (await route('Ada')).json()).toEqual({ hello: 'Ada' });
  });

  it('turn a service that does not answer into a 503 problem with Retry-After, without the error text', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const route = jsonRoute(async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432 password=hunter2'), { name: 'DatabaseError' });
    });
    const response = await route();
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('5');
    expect(response.headers.get('Content-Type')).toBe('application/problem+json');
    const body = await response.text();
    expect(body).toContain('not answering');
    expect(body).not.toContain('hunter2');
    expect(log).toHaveBeenCalledWith('[api] request failed: DatabaseError');
    log.mockRestore();
  });
});

import { describe, expect, it } from 'vitest';
import { readBodyText } from '@/lib/api';

function streamedRequest(chunks: number, chunkBytes: number, headers: Record<string, string> = {}) {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === chunks) return controller.close();
      pulled++;
      controller.enqueue(new Uint8Array(chunkBytes).fill(120));
    },
  });
  const request = new Request('http://localhost/api/email/sns', {
    method: 'POST',
    body,
    headers,
    duplex: 'half',
  } as RequestInit);
  return { request, pulled: () => pulled };
}

describe('reading a body with a size cap', () => {
  it('reads a body within the cap', async () => {
    const { request } = streamedRequest(4, 1024);
    expect(await readBodyText(request, 8 * 1024)).toHaveLength(4096);
  });

  it('stops reading at the cap instead of buffering the whole body', async () => {
    const { request, pulled } = streamedRequest(10_000, 1024);
    expect(await readBodyText(request, 300 * 1024)).toBeNull();
    expect(pulled()).toBeLessThan(310);
  });

  it('refuses a declared Content-Length over the cap without reading', async () => {
    const { request, pulled } = streamedRequest(10, 1024, { 'content-length': String(10 * 1024 * 1024) });
    expect(await readBodyText(request, 300 * 1024)).toBeNull();
    expect(pulled()).toBeLessThanOrEqual(1);
  });
});

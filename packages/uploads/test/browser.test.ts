// @vitest-environment jsdom
// The browser's upload engine against a scripted app API (fetch) and storage (XMLHttpRequest): what it
// sends where, which parts it retries, what a resume skips, and that progress only grows to the size.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { uploadFile, UploadError, type UploadControl } from '../src/browser.js';

const PART = 1024;

interface Sent {
  method: string;
  url: string;
  size: number;
}

/** Storage as the browser's XMLHttpRequest meets it: each request answered by `storage`. */
let storage: (
  method: string,
  url: string,
  attempt: number,
) => { status: number; etag?: string; body?: string } | 'network-error';
let sent: Sent[];

class FakeXhr {
  status = 0;
  responseText = '';
  upload: { onprogress: ((event: { loaded: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  private method = '';
  private url = '';
  private etag = '';
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  getResponseHeader(name: string) {
    return name.toLowerCase() === 'etag' ? this.etag : null;
  }
  abort() {
    this.onabort?.();
  }
  send(body: Blob | FormData) {
    const size = body instanceof Blob ? body.size : ((body.get('file') as Blob | null)?.size ?? 0);
    const attempt = sent.filter((s) => s.method === this.method && s.url === this.url).length + 1;
    sent.push({ method: this.method, url: this.url, size });
    setTimeout(() => {
      const answer = storage(this.method, this.url, attempt);
      if (answer === 'network-error') return this.onerror?.();
      this.upload.onprogress?.({ loaded: size });
      this.status = answer.status;
      this.responseText = answer.body ?? '';
      this.etag = answer.etag ?? '';
      this.onload?.();
    }, 0);
  }
}

/** The app's upload API, as far as the engine uses it; every call is recorded. */
let calls: Array<{ path: string; body: unknown }>;
let api: (path: string, body: unknown) => { status: number; json?: unknown };

beforeEach(() => {
  sent = [];
  calls = [];
  window.localStorage.clear();
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
  vi.stubGlobal('fetch', async (path: string, init?: { body?: string }) => {
    const body = init?.body ? JSON.parse(init.body) : undefined;
    calls.push({ path, body });
    const answer = api(path, body);
    return new Response(answer.json === undefined ? null : JSON.stringify(answer.json), { status: answer.status });
  });
});
afterEach(() => vi.unstubAllGlobals());

const control = (): UploadControl => ({ xhrs: new Set(), cancelled: false });
const fileOf = (size: number, name = 'long.wav') =>
  new File([new Uint8Array(size)], name, { type: 'audio/wav', lastModified: 1 });
const partUrl = (n: number) => `http://storage.test/b/k?partNumber=${n}`;

/** A multipart upload of `partCount` parts; part URLs come 2 with the first answer, the rest in batches. */
function multipartApi(partCount: number, resume?: { uploadedParts: Array<{ partNumber: number; etag: string }> }) {
  return (path: string, body: unknown): { status: number; json?: unknown } => {
    if (path === '/api/uploads')
      return {
        status: 200,
        json: {
          uploadId: 'u1',
          method: 'MULTIPART',
          partSize: PART,
          partCount,
          parts: [1, 2].map((n) => ({ partNumber: n, url: partUrl(n) })),
        },
      };
    if (path === '/api/uploads/u1/parts')
      return {
        status: 200,
        json: {
          parts: (body as { partNumbers: number[] }).partNumbers.map((n) => ({ partNumber: n, url: partUrl(n) })),
        },
      };
    if (path === '/api/uploads/u1/resume' && resume)
      return { status: 200, json: { uploadId: 'u1', partSize: PART, partCount, ...resume } };
    if (path === '/api/uploads/u1/complete')
      return {
        status: 200,
        json: {
          file: { id: 'f1', name: 'long.wav', size: partCount * PART, contentType: 'audio/wav', bucket: 'audio' },
        },
      };
    return { status: 404, json: { detail: 'No such upload.' } };
  };
}

/** The app's answer to a small file's start: one POST straight to storage, with its policy. */
const postPolicyAnswer = {
  status: 200,
  json: { uploadId: 'u1', method: 'POST', url: 'http://storage.test/b', fields: { key: 'users/x/a.mp3', policy: 'p' } },
};

describe('the upload engine', () => {
  it('sends a small file once, as the POST policy says, and completes it', async () => {
    api = (path) =>
      path === '/api/uploads'
        ? postPolicyAnswer
        : {
            status: 200,
            json: { file: { id: 'f1', name: 'a.mp3', size: 300, contentType: 'audio/mpeg', bucket: 'audio' } },
          };
    storage = () => ({ status: 204 });
    const progress: number[] = [];
    const stored = await uploadFile<{ file: { id: string } }>(fileOf(300, 'a.mp3'), {
      bucket: 'audio',
      onProgress: (n) => progress.push(n),
      control: control(),
    });
    expect(stored.file.id).toBe('f1');
    expect(sent).toEqual([{ method: 'POST', url: 'http://storage.test/b', size: 300 }]);
    expect(calls.map((c) => c.path)).toEqual(['/api/uploads', '/api/uploads/u1/complete']);
    expect(progress.at(-1)).toBe(300);
  });

  it('a cancel that comes while the app is asked for the policy sends no byte to storage', async () => {
    const upload = control();
    api = (path) => {
      // the person presses Cancel while this answer is on its way: no request to storage exists yet
      if (path === '/api/uploads') upload.cancelled = true;
      return path === '/api/uploads' ? postPolicyAnswer : { status: 200, json: {} };
    };
    storage = () => ({ status: 204 });
    const failure = await uploadFile(fileOf(300, 'a.mp3'), {
      bucket: 'audio',
      onProgress: () => {},
      control: upload,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DOMException);
    expect((failure as DOMException).name).toBe('AbortError');
    expect(sent).toEqual([]);
    expect(calls.map((c) => c.path)).toEqual(['/api/uploads']);
  });

  it('sends every part once, asks for part URLs in batches, and completes with each part’s ETag', async () => {
    api = multipartApi(5);
    storage = (_method, url) => ({ status: 200, etag: `"etag-${new URL(url).searchParams.get('partNumber')}"` });
    const progress: number[] = [];
    await uploadFile(fileOf(5 * PART), {
      bucket: 'audio',
      onProgress: (n) => progress.push(n),
      control: control(),
      backoffMs: 1,
    });
    expect(sent.map((s) => s.url).sort()).toEqual([1, 2, 3, 4, 5].map(partUrl).sort());
    expect(sent.every((s) => s.size === PART)).toBe(true);
    const complete = calls.find((c) => c.path === '/api/uploads/u1/complete')!.body as {
      parts: Array<{ partNumber: number; etag: string }>;
    };
    expect(complete.parts.sort((a, b) => a.partNumber - b.partNumber)).toEqual(
      [1, 2, 3, 4, 5].map((n) => ({ partNumber: n, etag: `"etag-${n}"` })),
    );
    // progress never goes backwards and ends at the file's size
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(5 * PART);
  });

  it('retries only the part the network dropped, with a fresh URL', async () => {
    api = multipartApi(3);
    storage = (_method, url, attempt) =>
      url === partUrl(2) && attempt === 1 ? 'network-error' : { status: 200, etag: 'e' };
    await uploadFile(fileOf(3 * PART), { bucket: 'audio', onProgress: () => {}, control: control(), backoffMs: 1 });
    expect(sent.filter((s) => s.url === partUrl(2))).toHaveLength(2);
    expect(sent.filter((s) => s.url !== partUrl(2))).toHaveLength(2);
    // the retry asked the server for part 2's URL again
    expect(
      calls.some(
        (c) => c.path === '/api/uploads/u1/parts' && (c.body as { partNumbers: number[] }).partNumbers[0] === 2,
      ),
    ).toBe(true);
  });

  it('gives up on a part storage refuses for good, with storage’s own words', async () => {
    api = multipartApi(2);
    storage = (_method, url) =>
      url === partUrl(2)
        ? {
            status: 400,
            body: '<Error><Message>Your proposed upload is smaller than the minimum allowed size</Message></Error>',
          }
        : { status: 200, etag: 'e' };
    const upload = uploadFile(fileOf(2 * PART), {
      bucket: 'audio',
      onProgress: () => {},
      control: control(),
      backoffMs: 1,
    });
    await expect(upload).rejects.toThrow(UploadError);
    await expect(upload).rejects.toMatchObject({
      status: 400,
      message: 'Storage refused the file: Your proposed upload is smaller than the minimum allowed size',
    });
    expect(sent.filter((s) => s.url === partUrl(2))).toHaveLength(1);
  });

  it('resumes a remembered upload of the same file, sending only the parts storage lacks', async () => {
    const file = fileOf(4 * PART);
    window.localStorage.setItem(`direct-upload:${file.name}|${file.size}|${file.lastModified}`, 'u1');
    api = multipartApi(4, { uploadedParts: [1, 2].map((n) => ({ partNumber: n, etag: `"held-${n}"` })) });
    storage = () => ({ status: 200, etag: '"new"' });
    const progress: number[] = [];
    await uploadFile(file, { bucket: 'audio', onProgress: (n) => progress.push(n), control: control(), backoffMs: 1 });
    expect(calls[0]).toEqual({ path: '/api/uploads/u1/resume', body: { fingerprint: `${file.name}|${file.size}|1` } });
    expect(sent.map((s) => s.url).sort()).toEqual([partUrl(3), partUrl(4)].sort());
    // the parts already held count from the start
    expect(progress[0]).toBe(2 * PART);
    expect(window.localStorage.length).toBe(0);
  });
});

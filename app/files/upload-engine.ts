// The browser's side of an upload, without React: presign, send the bytes straight to storage, complete.
// Large files go in parts, three at a time; each part is retried with backoff when the network drops it
// (re-signed when its URL was refused), part URLs are asked for in batches as the upload proceeds, and
// the upload's id is kept in localStorage under the file's identity (name, size, last modified) so that
// choosing the same file after a reload resumes: only the parts storage does not hold yet are sent.

import { backoffMs, sleep } from '@/lib/runtime/timing';

export interface UploadedFile {
  id: string;
  name: string;
  size: number;
  contentType: string;
  bucket: string;
  createdAt?: string;
}

type PartUrl = { partNumber: number; url: string };

type Presigned =
  | { uploadId: string; method: 'POST'; url: string; fields: Record<string, string> }
  | { uploadId: string; method: 'MULTIPART'; partSize: number; partCount: number; parts: PartUrl[] };

interface ResumeState {
  uploadId: string;
  partSize: number;
  partCount: number;
  uploadedParts: Array<{ partNumber: number; etag: string }>;
}

export class UploadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface UploadControl {
  xhrs: Set<XMLHttpRequest>;
  uploadId?: string;
  cancelled: boolean;
}

export interface UploadOptions {
  bucket: string;
  /** Bytes sent so far (parts already in storage count from the start). */
  onProgress(loaded: number): void;
  control: UploadControl;
  /** Retries of one part before the upload fails (default 4), and the first backoff (default 1 s). */
  partAttempts?: number;
  backoffMs?: number;
}

const PARALLEL_PARTS = 3;
const BATCH = 16;
const STORE_PREFIX = 'zigznote.upload:';

export function fileFingerprint(file: File): string {
  return `${file.name}|${file.size}|${file.lastModified}`;
}

function remembered(file: File): string | null {
  try {
    return window.localStorage.getItem(STORE_PREFIX + fileFingerprint(file));
  } catch {
    return null;
  }
}

function remember(file: File, uploadId: string | null) {
  try {
    if (uploadId) window.localStorage.setItem(STORE_PREFIX + fileFingerprint(file), uploadId);
    else window.localStorage.removeItem(STORE_PREFIX + fileFingerprint(file));
  } catch {
    // private mode: uploads still work, they just do not resume
  }
}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { detail?: string };
    throw new UploadError(problem.detail ?? `The server answered ${response.status}.`, response.status);
  }
  return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
}

function storageError(xml: string, status: number): string {
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  return message ? `Storage refused the file: ${message}` : `Storage answered ${status}.`;
}

// XMLHttpRequest: the one browser API that reports upload progress.
function send(
  method: 'POST' | 'PUT',
  url: string,
  body: FormData | Blob,
  onProgress: (loaded: number) => void,
  control: UploadControl,
): Promise<XMLHttpRequest> {
  return new Promise((resolve, reject) => {
    // Cancel may come while the app is still being asked for the policy or the part URLs, before any
    // request to storage exists to abort: no byte is sent after it.
    if (control.cancelled) return reject(new DOMException('cancelled', 'AbortError'));
    const xhr = new XMLHttpRequest();
    control.xhrs.add(xhr);
    xhr.open(method, url);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      control.xhrs.delete(xhr);
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr);
      else reject(new UploadError(storageError(xhr.responseText, xhr.status), xhr.status));
    };
    xhr.onerror = () => {
      control.xhrs.delete(xhr);
      reject(new UploadError('The storage server could not be reached.', 0));
    };
    xhr.onabort = () => {
      control.xhrs.delete(xhr);
      reject(new DOMException('cancelled', 'AbortError'));
    };
    xhr.send(body);
  });
}

/** Where a remembered upload of this very file stands, or null to start afresh. */
async function resumable(file: File): Promise<ResumeState | null> {
  const uploadId = remembered(file);
  if (!uploadId) return null;
  try {
    return await postJson<ResumeState>(`/api/uploads/${uploadId}/resume`, { fingerprint: fileFingerprint(file) });
  } catch {
    // ended, expired or another file: forget it and start again
    remember(file, null);
    return null;
  }
}

async function sendParts(
  file: File,
  state: { uploadId: string; partSize: number; partCount: number },
  done: Map<number, string>,
  first: PartUrl[],
  options: UploadOptions,
) {
  const { control } = options;
  const attempts = options.partAttempts ?? 4;
  const firstBackoffMs = options.backoffMs ?? 1_000;
  const urls = new Map(first.map((p) => [p.partNumber, p.url]));
  const missing = Array.from({ length: state.partCount }, (_, i) => i + 1).filter((n) => !done.has(n));
  const sizeOf = (n: number) => Math.min(state.partSize, file.size - (n - 1) * state.partSize);
  const inFlight = new Map<number, number>();
  const baseline = () => [...done.keys()].reduce((sum, n) => sum + sizeOf(n), 0);
  const report = () => options.onProgress(baseline() + [...inFlight.values()].reduce((a, b) => a + b, 0));
  report();

  let fetching: Promise<void> | null = null;
  const urlFor = async (partNumber: number, fresh = false): Promise<string> => {
    if (fresh) urls.delete(partNumber);
    while (!urls.has(partNumber)) {
      fetching ??= (async () => {
        const wanted = [partNumber, ...missing.filter((n) => n !== partNumber && !urls.has(n) && !done.has(n))].slice(0, BATCH);
        const { parts } = await postJson<{ parts: PartUrl[] }>(`/api/uploads/${state.uploadId}/parts`, { partNumbers: wanted });
        for (const part of parts) urls.set(part.partNumber, part.url);
      })().finally(() => {
        fetching = null;
      });
      await fetching;
    }
    return urls.get(partNumber)!;
  };

  const queue = [...missing];
  const worker = async () => {
    for (let partNumber = queue.shift(); partNumber !== undefined; partNumber = queue.shift()) {
      const blob = file.slice((partNumber - 1) * state.partSize, partNumber * state.partSize);
      for (let attempt = 1; ; attempt++) {
        try {
          const xhr = await send(
            'PUT',
            await urlFor(partNumber, attempt > 1),
            blob,
            (loaded) => {
              inFlight.set(partNumber!, loaded);
              report();
            },
            control,
          );
          done.set(partNumber, xhr.getResponseHeader('ETag') ?? '');
          inFlight.delete(partNumber);
          report();
          break;
        } catch (error) {
          inFlight.delete(partNumber);
          report();
          const retryable = error instanceof UploadError && (error.status === 0 || error.status === 403 || (error.status ?? 0) >= 500);
          if (control.cancelled || !retryable || attempt >= attempts) throw error;
          await sleep(backoffMs(attempt, firstBackoffMs, Infinity) * (0.5 + Math.random() / 2));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_PARTS }, worker));
}

/** Uploads one file (or resumes it) and answers the stored file. */
export async function uploadFile(file: File, options: UploadOptions): Promise<UploadedFile> {
  const { control } = options;
  const contentType = file.type || 'application/octet-stream';
  const resumed = await resumable(file);
  let parts: Array<{ partNumber: number; etag: string }> | undefined;
  let uploadId: string;
  if (resumed) {
    uploadId = resumed.uploadId;
    control.uploadId = uploadId;
    const done = new Map(resumed.uploadedParts.map((p) => [p.partNumber, p.etag]));
    await sendParts(file, resumed, done, [], options);
    parts = [...done.entries()].map(([partNumber, etag]) => ({ partNumber, etag }));
  } else {
    const presigned = await postJson<Presigned>('/api/uploads', {
      bucket: options.bucket,
      filename: file.name,
      contentType,
      size: file.size,
      fingerprint: fileFingerprint(file),
    });
    uploadId = presigned.uploadId;
    control.uploadId = uploadId;
    if (presigned.method === 'POST') {
      const form = new FormData();
      for (const [name, value] of Object.entries(presigned.fields)) form.append(name, value);
      form.append('file', file);
      await send('POST', presigned.url, form, (loaded) => options.onProgress(Math.min(loaded, file.size)), control);
    } else {
      remember(file, uploadId);
      const done = new Map<number, string>();
      await sendParts(file, presigned, done, presigned.parts, options);
      parts = [...done.entries()].map(([partNumber, etag]) => ({ partNumber, etag }));
    }
  }
  options.onProgress(file.size);
  const { file: stored } = await postJson<{ file: UploadedFile }>(`/api/uploads/${uploadId}/complete`, { parts });
  remember(file, null);
  return stored;
}

/** Ends an upload on the server (its URLs stop counting) and forgets it here. */
export function abandonUpload(file: File, uploadId: string | undefined): void {
  remember(file, null);
  if (uploadId) void fetch(`/api/uploads/${uploadId}/abort`, { method: 'POST' });
}

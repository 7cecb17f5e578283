/**
 * @zigznote/uploads/browser: the browser's side of an upload, without React: presign, send the bytes
 * straight to storage, complete. Large files go in parts, three at a time; each part is retried with
 * backoff when the network drops it (re-signed when its URL was refused), part URLs are asked for in
 * batches as the upload proceeds, and the upload's id is kept in localStorage under the file's identity
 * (name, size, last modified) so that choosing the same file after a reload resumes: only the parts
 * storage does not hold yet are sent. It speaks to the app's routes under `endpoint` (README: the
 * protocol) and to storage with XMLHttpRequest, the one browser API that reports upload progress.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

/** A refusal from the app or from storage, in words a person can act on; `status` 0 means unreachable. */
export class UploadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

export interface UploadControl {
  xhrs: Set<XMLHttpRequest>;
  uploadId?: string;
  cancelled: boolean;
}

export interface UploadRoutes {
  /** Where the app's upload routes live. @default '/api/uploads' */
  endpoint?: string;
  /** The localStorage key prefix under which unfinished uploads are remembered. @default 'direct-upload:' */
  storageKeyPrefix?: string;
}

export interface UploadOptions extends UploadRoutes {
  /** Sent with the start request as `bucket` (the app decides what it means). @default none */
  bucket?: string;
  /** More fields for the start request. @default {} */
  fields?: Record<string, unknown>;
  /** Bytes sent so far (parts already in storage count from the start). */
  onProgress(loaded: number): void;
  /** Cancel: set `cancelled` and abort the requests in `xhrs`. @default a control of its own */
  control?: UploadControl;
  /** Tries of one part before the upload fails. @default 4 */
  partAttempts?: number;
  /** The first retry's delay in ms; each later one doubles. @default 1000 */
  backoffMs?: number;
  /** Parts sent at once. @default 3 */
  parallelParts?: number;
  /** Part URLs asked for at once. @default 16 */
  partBatch?: number;
}

export function createUploadControl(): UploadControl {
  return { xhrs: new Set(), cancelled: false };
}

/** Cancels an upload in progress: no byte is sent after it, and the upload rejects with an AbortError. */
export function cancelUpload(control: UploadControl): void {
  control.cancelled = true;
  for (const xhr of control.xhrs) xhr.abort();
}

export function fileFingerprint(file: File): string {
  return `${file.name}|${file.size}|${file.lastModified}`;
}

function routesOf(options: UploadRoutes) {
  return {
    endpoint: (options.endpoint ?? '/api/uploads').replace(/\/$/, ''),
    prefix: options.storageKeyPrefix ?? 'direct-upload:',
  };
}

function remembered(file: File, prefix: string): string | null {
  try {
    return window.localStorage.getItem(prefix + fileFingerprint(file));
  } catch {
    return null;
  }
}

function remember(file: File, prefix: string, uploadId: string | null) {
  try {
    if (uploadId) window.localStorage.setItem(prefix + fileFingerprint(file), uploadId);
    else window.localStorage.removeItem(prefix + fileFingerprint(file));
  } catch {
    // private mode: uploads still work, they just do not resume
  }
}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
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
async function resumable(file: File, routes: ReturnType<typeof routesOf>): Promise<ResumeState | null> {
  const uploadId = remembered(file, routes.prefix);
  if (!uploadId) return null;
  try {
    return await postJson<ResumeState>(`${routes.endpoint}/${uploadId}/resume`, { fingerprint: fileFingerprint(file) });
  } catch {
    // ended, expired or another file: forget it and start again
    remember(file, routes.prefix, null);
    return null;
  }
}

async function sendParts(
  file: File,
  state: { uploadId: string; partSize: number; partCount: number },
  done: Map<number, string>,
  first: PartUrl[],
  options: UploadOptions & { control: UploadControl; endpoint: string },
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
        const wanted = [partNumber, ...missing.filter((n) => n !== partNumber && !urls.has(n) && !done.has(n))].slice(
          0,
          options.partBatch ?? 16,
        );
        const { parts } = await postJson<{ parts: PartUrl[] }>(`${options.endpoint}/${state.uploadId}/parts`, {
          partNumbers: wanted,
        });
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
          const retryable =
            error instanceof UploadError && (error.status === 0 || error.status === 403 || (error.status ?? 0) >= 500);
          if (control.cancelled || !retryable || attempt >= attempts) throw error;
          await sleep(firstBackoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: options.parallelParts ?? 3 }, worker));
}

/** Uploads one file (or resumes it) and answers what the app's completion route answered. */
export async function uploadFile<Completed = unknown>(file: File, uploadOptions: UploadOptions): Promise<Completed> {
  const routes = routesOf(uploadOptions);
  const control = uploadOptions.control ?? createUploadControl();
  const options = { ...uploadOptions, control, endpoint: routes.endpoint };
  const contentType = file.type || 'application/octet-stream';
  const resumed = await resumable(file, routes);
  let parts: Array<{ partNumber: number; etag: string }> | undefined;
  let uploadId: string;
  if (resumed) {
    uploadId = resumed.uploadId;
    control.uploadId = uploadId;
    const done = new Map(resumed.uploadedParts.map((p) => [p.partNumber, p.etag]));
    await sendParts(file, resumed, done, [], options);
    parts = [...done.entries()].map(([partNumber, etag]) => ({ partNumber, etag }));
  } else {
    const presigned = await postJson<Presigned>(routes.endpoint, {
      ...options.fields,
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
      remember(file, routes.prefix, uploadId);
      const done = new Map<number, string>();
      await sendParts(file, presigned, done, presigned.parts, options);
      parts = [...done.entries()].map(([partNumber, etag]) => ({ partNumber, etag }));
    }
  }
  options.onProgress(file.size);
  const completed = await postJson<Completed>(`${routes.endpoint}/${uploadId}/complete`, { parts });
  remember(file, routes.prefix, null);
  return completed;
}

/** Ends an upload on the server (its URLs stop counting) and forgets it here. */
export function abandonUpload(file: File, uploadId: string | undefined, routes: UploadRoutes = {}): void {
  const { endpoint, prefix } = routesOf(routes);
  remember(file, prefix, null);
  if (uploadId) void fetch(`${endpoint}/${uploadId}/abort`, { method: 'POST' });
}

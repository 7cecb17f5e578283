'use client';

import { useCallback, useRef, useState } from 'react';

// Uploads straight from the browser to storage: the app only presigns (one small JSON request) and
// completes (another). Bytes go to MinIO by XMLHttpRequest, the one browser API that reports upload
// progress. Files above the multipart threshold go in parts, three at a time.

export type Bucket = 'audio' | 'avatars';

export interface UploadedFile {
  id: string;
  name: string;
  size: number;
  contentType: string;
  bucket: string;
  createdAt?: string;
}

export interface UploadItem {
  key: string;
  file: File;
  bucket: Bucket;
  status: 'uploading' | 'done' | 'error' | 'cancelled';
  loaded: number;
  bytesPerSecond: number;
  error?: string;
}

type Presigned =
  | { uploadId: string; method: 'POST'; url: string; fields: Record<string, string> }
  | { uploadId: string; method: 'MULTIPART'; partSize: number; parts: Array<{ partNumber: number; url: string }> };

class UploadError extends Error {}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { detail?: string };
    throw new UploadError(problem.detail ?? `The server answered ${response.status}.`);
  }
  return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
}

function send(
  method: 'POST' | 'PUT',
  url: string,
  body: FormData | Blob,
  onProgress: (loaded: number) => void,
  register: (xhr: XMLHttpRequest) => void,
): Promise<XMLHttpRequest> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    register(xhr);
    xhr.open(method, url);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve(xhr) : reject(new UploadError(storageError(xhr.responseText, xhr.status))));
    xhr.onerror = () => reject(new UploadError('The storage server could not be reached.'));
    xhr.onabort = () => reject(new DOMException('cancelled', 'AbortError'));
    xhr.send(body);
  });
}

function storageError(xml: string, status: number): string {
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  return message ? `Storage refused the file: ${message}` : `Storage answered ${status}.`;
}

export function useUploads(onUploaded: (file: UploadedFile) => void) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const requests = useRef(new Map<string, { xhrs: Set<XMLHttpRequest>; uploadId?: string; cancelled: boolean }>());

  const update = useCallback((key: string, patch: Partial<UploadItem>) => {
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...patch } : item)));
  }, []);

  const run = useCallback(
    async (item: UploadItem) => {
      const control = { xhrs: new Set<XMLHttpRequest>(), cancelled: false } as { xhrs: Set<XMLHttpRequest>; uploadId?: string; cancelled: boolean };
      requests.current.set(item.key, control);
      const started = performance.now();
      const progress = (loaded: number) => {
        const seconds = (performance.now() - started) / 1000;
        update(item.key, { loaded, bytesPerSecond: seconds > 0 ? loaded / seconds : 0 });
      };
      try {
        const presigned = await postJson<Presigned>('/api/uploads', {
          bucket: item.bucket,
          filename: item.file.name,
          contentType: item.file.type || 'application/octet-stream',
          size: item.file.size,
        });
        control.uploadId = presigned.uploadId;
        let parts: Array<{ partNumber: number; etag: string }> | undefined;
        if (presigned.method === 'POST') {
          const form = new FormData();
          for (const [name, value] of Object.entries(presigned.fields)) form.append(name, value);
          form.append('file', item.file);
          await send('POST', presigned.url, form, (loaded) => progress(Math.min(loaded, item.file.size)), (xhr) => control.xhrs.add(xhr));
        } else {
          const loadedByPart = new Map<number, number>();
          const report = () => progress([...loadedByPart.values()].reduce((a, b) => a + b, 0));
          parts = [];
          const queue = [...presigned.parts];
          const worker = async () => {
            for (let next = queue.shift(); next; next = queue.shift()) {
              const { partNumber, url } = next;
              const blob = item.file.slice((partNumber - 1) * presigned.partSize, partNumber * presigned.partSize);
              const xhr = await send('PUT', url, blob, (loaded) => {
                loadedByPart.set(partNumber, loaded);
                report();
              }, (x) => control.xhrs.add(x));
              parts!.push({ partNumber, etag: xhr.getResponseHeader('ETag') ?? '' });
            }
          };
          await Promise.all([worker(), worker(), worker()]);
        }
        progress(item.file.size);
        const { file } = await postJson<{ file: UploadedFile }>(`/api/uploads/${presigned.uploadId}/complete`, { parts });
        update(item.key, { status: 'done', loaded: item.file.size });
        onUploaded(file);
      } catch (error) {
        if (control.cancelled || (error instanceof DOMException && error.name === 'AbortError')) {
          update(item.key, { status: 'cancelled' });
          if (control.uploadId) void fetch(`/api/uploads/${control.uploadId}/abort`, { method: 'POST' });
        } else {
          update(item.key, { status: 'error', error: error instanceof UploadError ? error.message : 'The upload failed.' });
        }
      } finally {
        requests.current.delete(item.key);
      }
    },
    [onUploaded, update],
  );

  const add = useCallback(
    (files: File[], bucketFor: (file: File) => Bucket) => {
      const added = files.map((file) => ({
        key: `${file.name}-${file.size}-${Math.random().toString(36).slice(2)}`,
        file,
        bucket: bucketFor(file),
        status: 'uploading' as const,
        loaded: 0,
        bytesPerSecond: 0,
      }));
      setItems((current) => [...added, ...current]);
      for (const item of added) void run(item);
    },
    [run],
  );

  const cancel = useCallback((key: string) => {
    const control = requests.current.get(key);
    if (!control) return;
    control.cancelled = true;
    for (const xhr of control.xhrs) xhr.abort();
  }, []);

  const retry = useCallback(
    (key: string) => {
      const item = items.find((i) => i.key === key);
      if (!item) return;
      const fresh = { ...item, status: 'uploading' as const, loaded: 0, bytesPerSecond: 0, error: undefined };
      update(key, fresh);
      void run(fresh);
    },
    [items, run, update],
  );

  return { items, add, cancel, retry };
}

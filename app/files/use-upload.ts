'use client';

import { useCallback, useRef, useState } from 'react';
import {
  abandonUpload,
  cancelUpload,
  createUploadControl,
  UploadError,
  uploadFile,
  type UploadControl,
} from '@zigznote/uploads/browser';
import type { BucketName } from '@/lib/storage/client';

// The upload list's state: one item per chosen file, its progress and speed, cancel and retry. The bytes
// go straight to storage through @zigznote/uploads' engine (parts retried, resumable after a reload).

export type Bucket = BucketName;

/** What /api/uploads/<id>/complete answers as `file`. */
export interface UploadedFile {
  id: string;
  name: string;
  size: number;
  contentType: string;
  bucket: string;
  createdAt?: string;
}

/** Where unfinished uploads are remembered in the browser (kept from before the package, so they still resume). */
const UPLOAD_ROUTES = { endpoint: '/api/uploads', storageKeyPrefix: 'zigznote.upload:' };

export interface UploadItem {
  key: string;
  file: File;
  bucket: Bucket;
  status: 'uploading' | 'done' | 'error' | 'cancelled';
  loaded: number;
  bytesPerSecond: number;
  error?: string;
}

export function useUploads(onUploaded: (file: UploadedFile) => void) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const requests = useRef(new Map<string, UploadControl>());

  const update = useCallback((key: string, patch: Partial<UploadItem>) => {
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...patch } : item)));
  }, []);

  const run = useCallback(
    async (item: UploadItem) => {
      const control: UploadControl = createUploadControl();
      requests.current.set(item.key, control);
      const started = performance.now();
      let first: number | null = null;
      const progress = (loaded: number) => {
        // speed counts what this session sent, not parts a resumed upload already had
        first ??= loaded;
        const seconds = (performance.now() - started) / 1000;
        update(item.key, { loaded, bytesPerSecond: seconds > 0 ? (loaded - first) / seconds : 0 });
      };
      try {
        const { file } = await uploadFile<{ file: UploadedFile }>(item.file, {
          ...UPLOAD_ROUTES,
          bucket: item.bucket,
          onProgress: progress,
          control,
        });
        update(item.key, { status: 'done', loaded: item.file.size });
        onUploaded(file);
      } catch (error) {
        if (control.cancelled || (error instanceof DOMException && error.name === 'AbortError')) {
          update(item.key, { status: 'cancelled' });
          abandonUpload(item.file, control.uploadId, UPLOAD_ROUTES);
        } else {
          update(item.key, {
            status: 'error',
            error: error instanceof UploadError ? error.message : 'The upload failed.',
          });
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
    if (control) cancelUpload(control);
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

'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useState } from 'react';
import { bucketForContentType } from '@/lib/storage/client';
import { DropZone } from './drop-zone';
import { FileTable } from './file-table';
import { UploadRow } from './upload-row';
import { UsageBar, type StorageUsage } from './usage-bar';
import { useUploads, type Bucket, type UploadedFile } from './use-upload';

const bucketFor = (file: File): Bucket => bucketForContentType(file.type);

/** The files page's client side: usage, the drop zone, uploads in progress and the stored files. */
export function FileManager({
  initialFiles,
  initialUsage,
}: {
  initialFiles: UploadedFile[];
  initialUsage: StorageUsage;
}) {
  const [files, setFiles] = useState(initialFiles);
  const [usage, setUsage] = useState(initialUsage);
  const [notice, setNotice] = useState<string | null>(null);
  const router = useRouter();
  // A 401 means this session was ended (here or from another device): go to log in instead of failing quietly.
  const signedOut = useCallback(
    (response: Response | null) => {
      if (response?.status !== 401) return false;
      // read to its end, so the request is finished before the page moves on
      void response.text().then(
        () => router.push('/auth/login?notice=session-ended'),
        () => router.push('/auth/login?notice=session-ended'),
      );
      return true;
    },
    [router],
  );
  // Pending uploads count against the quota too: ask the server rather than adding up here.
  const refreshUsage = useCallback(async () => {
    const response = await fetch('/api/files', { cache: 'no-store' }).catch(() => null);
    if (signedOut(response)) return;
    if (response?.ok) setUsage(((await response.json()) as { usage: StorageUsage }).usage);
  }, [signedOut]);
  const onUploaded = useCallback(
    (file: UploadedFile) => {
      setFiles((current) => [file, ...current]);
      void refreshUsage();
    },
    [refreshUsage],
  );
  const { items, add, cancel, retry } = useUploads(onUploaded);

  async function download(file: UploadedFile) {
    const response = await fetch(`/api/files/${file.id}/download`);
    if (signedOut(response)) return;
    if (!response.ok) return setNotice(`Could not download ${file.name}.`);
    const { url } = (await response.json()) as { url: string };
    window.location.assign(url);
  }

  async function remove(file: UploadedFile) {
    const response = await fetch(`/api/files/${file.id}`, { method: 'DELETE' });
    if (signedOut(response)) return;
    if (!response.ok) return setNotice(`Could not delete ${file.name}.`);
    setFiles((current) => current.filter((f) => f.id !== file.id));
    setNotice(`${file.name} deleted.`);
    void refreshUsage();
  }

  return (
    <div className="files">
      <UsageBar usage={usage} />
      <DropZone onFiles={(chosen) => add(chosen, bucketFor)} />
      {items.length > 0 && (
        <ul className="uploads" aria-label="Uploads">
          {items.map((item) => (
            <UploadRow key={item.key} item={item} onCancel={() => cancel(item.key)} onRetry={() => retry(item.key)} />
          ))}
        </ul>
      )}
      {notice && <p role="status">{notice}</p>}
      <h2>Your files</h2>
      <FileTable files={files} onDownload={download} onDelete={remove} />
    </div>
  );
}

'use client';

import { useCallback, useState, type DragEvent } from 'react';
import { useUploads, type Bucket, type UploadedFile, type UploadItem } from './use-upload';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function timeLeft(item: UploadItem): string {
  if (item.bytesPerSecond <= 0) return 'estimating…';
  const seconds = Math.ceil((item.file.size - item.loaded) / item.bytesPerSecond);
  return seconds < 60 ? `${seconds} s left` : `${Math.ceil(seconds / 60)} min left`;
}

const bucketFor = (file: File): Bucket => (file.type.startsWith('image/') ? 'avatars' : 'audio');

export interface StorageUsage {
  usedBytes: number;
  quotaBytes: number;
}

function UsageBar({ usage }: { usage: StorageUsage }) {
  const percent = usage.quotaBytes > 0 ? Math.min(100, Math.round((usage.usedBytes / usage.quotaBytes) * 100)) : 0;
  return (
    <div className="usage">
      <progress max={100} value={percent} aria-label="Storage used">
        {percent}%
      </progress>
      <span data-testid="usage">
        {formatBytes(usage.usedBytes)} of {formatBytes(usage.quotaBytes)} used ({percent}%)
      </span>
    </div>
  );
}

export function FileManager({ initialFiles, initialUsage }: { initialFiles: UploadedFile[]; initialUsage: StorageUsage }) {
  const [files, setFiles] = useState(initialFiles);
  const [usage, setUsage] = useState(initialUsage);
  const [dragging, setDragging] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  // Pending uploads count against the quota too: ask the server rather than adding up here.
  const refreshUsage = useCallback(async () => {
    const response = await fetch('/api/files', { cache: 'no-store' }).catch(() => null);
    if (response?.ok) setUsage(((await response.json()) as { usage: StorageUsage }).usage);
  }, []);
  const onUploaded = useCallback(
    (file: UploadedFile) => {
      setFiles((current) => [file, ...current]);
      void refreshUsage();
    },
    [refreshUsage],
  );
  const { items, add, cancel, retry } = useUploads(onUploaded);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    add(Array.from(event.dataTransfer.files), bucketFor);
  };

  async function download(file: UploadedFile) {
    const response = await fetch(`/api/files/${file.id}/download`);
    if (!response.ok) return setNotice(`Could not download ${file.name}.`);
    const { url } = (await response.json()) as { url: string };
    window.location.assign(url);
  }

  async function remove(file: UploadedFile) {
    const response = await fetch(`/api/files/${file.id}`, { method: 'DELETE' });
    if (!response.ok) return setNotice(`Could not delete ${file.name}.`);
    setFiles((current) => current.filter((f) => f.id !== file.id));
    setNotice(`${file.name} deleted.`);
    void refreshUsage();
  }

  return (
    <div className="files">
      <UsageBar usage={usage} />
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop audio files or images here, or</p>
        <label className="file-picker">
          Choose files
          <input
            type="file"
            multiple
            accept="audio/*,image/png,image/jpeg,image/webp"
            onChange={(event) => {
              add(Array.from(event.target.files ?? []), bucketFor);
              event.target.value = '';
            }}
          />
        </label>
        <p className="hint">Audio up to 2 GB, images (PNG, JPEG, WebP) up to 5 MB. Files go straight to storage.</p>
      </div>

      {items.length > 0 && (
        <ul className="uploads" aria-label="Uploads">
          {items.map((item) => {
            const percent = item.file.size > 0 ? Math.round((item.loaded / item.file.size) * 100) : 100;
            return (
              <li key={item.key} className={`upload ${item.status}`}>
                <div className="upload-head">
                  <strong>{item.file.name}</strong>
                  <span>
                    {formatBytes(item.loaded)} of {formatBytes(item.file.size)}
                  </span>
                </div>
                <progress max={100} value={percent} aria-label={`Upload of ${item.file.name}`}>
                  {percent}%
                </progress>
                <div className="upload-foot" aria-live="polite">
                  {item.status === 'uploading' && (
                    <>
                      <span>
                        {percent}% · {formatBytes(item.bytesPerSecond)}/s · {timeLeft(item)}
                      </span>
                      <button type="button" onClick={() => cancel(item.key)}>
                        Cancel
                      </button>
                    </>
                  )}
                  {item.status === 'done' && <span>Uploaded</span>}
                  {item.status === 'cancelled' && (
                    <>
                      <span>Cancelled</span>
                      <button type="button" onClick={() => retry(item.key)}>
                        Retry
                      </button>
                    </>
                  )}
                  {item.status === 'error' && (
                    <>
                      <span role="alert">{item.error}</span>
                      <button type="button" onClick={() => retry(item.key)}>
                        Retry
                      </button>
                    </>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}

      {notice && <p role="status">{notice}</p>}
      <h2>Your files</h2>
      {files.length === 0 ? (
        <p>No files yet.</p>
      ) : (
        <table className="file-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">Type</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {files.map((file) => (
              <tr key={file.id}>
                <td>{file.name}</td>
                <td>{formatBytes(file.size)}</td>
                <td>{file.contentType}</td>
                <td className="actions">
                  <button type="button" onClick={() => download(file)} aria-label={`Download ${file.name}`}>
                    Download
                  </button>
                  <button type="button" onClick={() => remove(file)} aria-label={`Delete ${file.name}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

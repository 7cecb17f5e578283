'use client';

import { formatBytes, timeLeft } from './format';
import type { UploadItem } from './use-upload';

/** One upload: its progress, speed and time left, and what can be done with it now. */
export function UploadRow({
  item,
  onCancel,
  onRetry,
}: {
  item: UploadItem;
  onCancel: () => void;
  onRetry: () => void;
}) {
  const percent = item.file.size > 0 ? Math.round((item.loaded / item.file.size) * 100) : 100;
  return (
    <li className={`upload ${item.status}`}>
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
              {percent}% · {formatBytes(item.bytesPerSecond)}/s ·{' '}
              {timeLeft(item.file.size, item.loaded, item.bytesPerSecond)}
            </span>
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          </>
        )}
        {item.status === 'done' && <span>Uploaded</span>}
        {item.status === 'cancelled' && (
          <>
            <span>Cancelled</span>
            <button type="button" onClick={onRetry}>
              Retry
            </button>
          </>
        )}
        {item.status === 'error' && (
          <>
            <span role="alert">{item.error}</span>
            <button type="button" onClick={onRetry}>
              Retry
            </button>
          </>
        )}
      </div>
    </li>
  );
}

'use client';

import { uploadFile, UploadError } from '@zigznote/uploads/browser';
import { useState } from 'react';

export function Uploader() {
  const [status, setStatus] = useState('Choose a file.');
  return (
    <>
      <input
        type="file"
        aria-label="File"
        onChange={async (event) => {
          const file = event.target.files?.[0];
          if (!file) return;
          setStatus('Uploading…');
          try {
            const { file: stored } = await uploadFile<{ file: { key: string; size: number } }>(file, {
              onProgress: (sent) => setStatus(`Uploading… ${sent} of ${file.size} bytes`),
            });
            setStatus(`Stored ${stored.key} (${stored.size} bytes)`);
          } catch (error) {
            setStatus(error instanceof UploadError ? error.message : 'The upload failed.');
          }
        }}
      />
      <p role="status">{status}</p>
    </>
  );
}

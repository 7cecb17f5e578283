'use client';

import { useState } from 'react';

/** Files dropped on it or chosen with its picker, handed over as a list. */
export function DropZone({ onFiles }: { onFiles: (files: File[]) => void }) {
  const [dragging, setDragging] = useState(false);
  return (
    <div
      className={`dropzone${dragging ? ' dragging' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        onFiles(Array.from(event.dataTransfer.files));
      }}
    >
      <p>Drop audio files or images here, or</p>
      <label className="file-picker">
        Choose files
        <input
          type="file"
          multiple
          accept="audio/*,image/png,image/jpeg,image/webp"
          onChange={(event) => {
            onFiles(Array.from(event.target.files ?? []));
            event.target.value = '';
          }}
        />
      </label>
      <p className="hint">Audio up to 2 GB, images (PNG, JPEG, WebP) up to 5 MB. Files go straight to storage.</p>
    </div>
  );
}

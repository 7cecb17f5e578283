'use client';

import { formatBytes } from './format';
import type { UploadedFile } from './use-upload';

/** The user's stored files, each with Download and Delete. */
export function FileTable({
  files,
  onDownload,
  onDelete,
}: {
  files: UploadedFile[];
  onDownload: (file: UploadedFile) => void;
  onDelete: (file: UploadedFile) => void;
}) {
  if (files.length === 0) return <p>No files yet.</p>;
  return (
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
              <button type="button" onClick={() => onDownload(file)} aria-label={`Download ${file.name}`}>
                Download
              </button>
              <button type="button" onClick={() => onDelete(file)} aria-label={`Delete ${file.name}`}>
                Delete
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
